package io.sensorfleet.storage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StorageRequest;
import io.sensorfleet.storage.internal.RecordStore.Record;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordStoreTest {

  static final InstrumentId IDS = InstrumentId.of("ids");
  static final StorageRequest SIZES = new StorageRequest(ByteSize.ofMebibytes(256), ByteSize.ofMebibytes(64));

  @TempDir Path data;

  @Test
  void a_record_reads_back_as_written() {
    RecordStore records = new RecordStore(data.resolve("storage"));
    Record record = new Record(IDS, SIZES, OptionalLong.of(165536));

    records.write(record);

    assertEquals(record, records.read(IDS).orElseThrow());
    assertEquals(List.of(record), records.list());
  }

  @Test
  void a_record_without_a_uid_base_has_none() {
    RecordStore records = new RecordStore(data.resolve("storage"));
    records.write(new Record(IDS, SIZES, OptionalLong.empty()));

    assertEquals(OptionalLong.empty(), records.read(IDS).orElseThrow().uidBase());
  }

  @Test
  void list_skips_files_that_are_not_records_and_delete_removes_one() throws IOException {
    RecordStore records = new RecordStore(data.resolve("storage"));
    records.write(new Record(IDS, SIZES, OptionalLong.empty()));
    Files.writeString(data.resolve("storage/Not-An-Id.properties"), "x=1");
    Files.writeString(data.resolve("storage/readme.txt"), "hello");

    assertEquals(1, records.list().size());
    records.delete(IDS);
    assertTrue(records.list().isEmpty());
    assertTrue(records.read(IDS).isEmpty());
  }

  @Test
  void a_record_naming_another_instrument_is_refused() throws IOException {
    RecordStore records = new RecordStore(data.resolve("storage"));
    records.write(new Record(InstrumentId.of("dns"), SIZES, OptionalLong.empty()));
    Files.move(data.resolve("storage/dns.properties"), data.resolve("storage/ids.properties"));

    assertThrows(StorageException.HostIo.class, () -> records.read(IDS));
  }
}
