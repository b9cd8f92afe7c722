package io.sensorfleet.storage;

import com.typesafe.config.ConfigFactory;
import io.sensorfleet.core.InstrumentId;
import io.sensorfleet.core.manifest.ByteSize;
import io.sensorfleet.core.runtime.ContainerRuntime;
import io.sensorfleet.core.runtime.ContainerRuntimeException;
import io.sensorfleet.core.runtime.Device;
import io.sensorfleet.core.runtime.StorageVolume;
import io.sensorfleet.core.runtime.VolumeSpec;
import io.sensorfleet.core.storage.DeviceAttachment;
import io.sensorfleet.core.storage.InstrumentStorage;
import io.sensorfleet.core.storage.StorageException;
import io.sensorfleet.core.storage.StoragePlan;
import io.sensorfleet.core.storage.StorageRequest;
import io.sensorfleet.core.storage.StorageStatus;
import io.sensorfleet.core.storage.StorageUsage;
import io.sensorfleet.storage.internal.CommandResult;
import io.sensorfleet.storage.internal.CommandRunner;
import io.sensorfleet.storage.internal.Commands;
import io.sensorfleet.storage.internal.KeyStore;
import io.sensorfleet.storage.internal.MountTable;
import io.sensorfleet.storage.internal.MountTable.Mount;
import io.sensorfleet.storage.internal.Ownership;
import io.sensorfleet.storage.internal.ProcessRunner;
import io.sensorfleet.storage.internal.Qgroup;
import io.sensorfleet.storage.internal.RecordStore;
import io.sensorfleet.storage.internal.RecordStore.Record;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The {@link InstrumentStorage} of a sensor: for each Instrument a custom LXD volume with {@code size=} on a btrfs
 * pool (the quota; the pool's loop file bounds all Instruments together), holding a gocryptfs directory whose key
 * is the Instrument's own, from the sensor's key store. The sensor mounts the decrypted view on the host and the
 * container gets it as a disk device at {@code /var/lib/instrument}; the volume itself is never attached, so the
 * container never sees the encrypted data, and nothing decrypted is ever written to a disk. Transient storage is
 * a host tmpfs of the requested size, a disk device at {@code /run/instrument}; it lives in memory only (and is
 * charged to the container's memory limit), so it is not encrypted. See docs/storage.md for the measurements
 * behind the design.
 *
 * <p>Host work runs on virtual threads, one call after another per Instrument. Commands are bounded by
 * {@code sensor.storage.command-timeout}; container manager calls by {@code runtime-timeout}.
 *
 * <p>Mount points are left at mode 0000 while nothing is mounted on them, and the devices point at a directory
 * inside each mount: a container started without {@link #open} fails to start ("missing source") instead of
 * writing into the host's own directories.
 */
public final class GocryptfsStorage implements InstrumentStorage {

  /** How often a close looks again for other namespaces holding a mount, and how long apart (see otherUsers). */
  static final int IN_USE_ATTEMPTS = 25;
  static final Duration IN_USE_PAUSE = Duration.ofMillis(200);

  /** The volume label naming the Instrument, so that left-over volumes are found again. */
  public static final String INSTRUMENT_LABEL = "user.sensorfleet.instrument";
  private static final String VOLUME_PURPOSE = "persistent";
  private static final String CIPHER_DIR = "cipher";
  private static final String DATA_DIR = "data";
  private static final String GOCRYPTFS_CONF = "gocryptfs.conf";

  private final ContainerRuntime runtime;
  private final StorageSettings settings;
  private final CommandRunner commands;
  private final Commands build;
  private final KeyStore keys;
  private final RecordStore records;
  private final MountTable mounts;
  private final ExecutorService executor;
  private final Map<InstrumentId, CompletableFuture<?>> tails = new ConcurrentHashMap<>();
  /** Held while quotas are checked against the pool and a volume created, so two prepares cannot both pass. */
  private final ReentrantLock poolLock = new ReentrantLock();

  private GocryptfsStorage(ContainerRuntime runtime, StorageSettings settings, CommandRunner commands,
      MountTable mounts) {
    this.runtime = runtime;
    this.settings = settings;
    this.commands = commands;
    this.build = new Commands(settings.gocryptfs(), settings.scryptN());
    this.keys = new KeyStore(settings.keyDir());
    this.records = new RecordStore(settings.recordDir());
    this.mounts = mounts;
    this.executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sf-storage-", 0).factory());
  }

  /** The storage on {@code runtime}'s volumes, with {@code sensor.storage} from the default config. */
  public static GocryptfsStorage create(ContainerRuntime runtime) {
    return create(runtime, StorageSettings.fromRootConfig(ConfigFactory.load()));
  }

  public static GocryptfsStorage create(ContainerRuntime runtime, StorageSettings settings) {
    return new GocryptfsStorage(runtime, settings, new ProcessRunner(), MountTable.system());
  }

  /** With other host commands and mount tables (unit tests). */
  static GocryptfsStorage create(ContainerRuntime runtime, StorageSettings settings, CommandRunner commands,
      MountTable mounts) {
    return new GocryptfsStorage(runtime, settings, commands, mounts);
  }

  public StorageSettings settings() {
    return settings;
  }

  /** The key file of an Instrument (it may not exist). */
  public Path keyFile(InstrumentId id) {
    return keys.file(id);
  }

  /** The host directory of an Instrument's encrypted data: inside its volume. */
  public Path cipherDirectory(InstrumentId id) {
    return volumePath(id).resolve(CIPHER_DIR);
  }

  /** Stops accepting calls; running ones finish. Mounts stay (they outlive the sensor on purpose). */
  public void shutdown() {
    executor.shutdown();
  }

  // ------------------------------------------------------------------------------------------------------------
  // The port

  @Override
  public CompletionStage<StoragePlan> prepare(InstrumentId id, StorageRequest request) {
    return serially(id, () -> doPrepare(id, request));
  }

  @Override
  public CompletionStage<List<DeviceAttachment>> open(InstrumentId id, long containerRootHostUid) {
    if (containerRootHostUid < 1) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "instrument " + id + ": a container root host uid of " + containerRootHostUid + " is not unprivileged"));
    }
    return serially(id, () -> doOpen(id, containerRootHostUid));
  }

  @Override
  public CompletionStage<Void> close(InstrumentId id) {
    return serially(id, () -> {
      doClose(id, true, true);
      return null;
    });
  }

  @Override
  public CompletionStage<Void> wipeTransient(InstrumentId id) {
    return serially(id, () -> {
      doClose(id, false, true);
      return null;
    });
  }

  @Override
  public CompletionStage<Void> purge(InstrumentId id) {
    return serially(id, () -> {
      doPurge(id);
      return null;
    });
  }

  @Override
  public CompletionStage<StorageUsage> usage(InstrumentId id) {
    return serially(id, () -> doUsage(id));
  }

  @Override
  public CompletionStage<List<StorageStatus>> list() {
    return submit(this::doList);
  }

  // ------------------------------------------------------------------------------------------------------------
  // prepare

  private StoragePlan doPrepare(InstrumentId id, StorageRequest request) throws IOException {
    if (request.hasPersistent() && request.persistent().bytes() < settings.minPersistentBytes()) {
      throw new IllegalArgumentException("instrument " + id + ": a persistent size of " + request.persistent()
          + " is below the minimum " + ByteSize.ofBytes(settings.minPersistentBytes()));
    }
    Optional<Record> existing = records.read(id);
    if (existing.isPresent() && !existing.get().sizes().persistent().equals(request.persistent())) {
      throw new StorageException.Conflict(id, "its persistent storage was prepared with "
          + existing.get().sizes().persistent() + ", not " + request.persistent()
          + "; resizing is not supported: purge it and prepare it again");
    }
    // Recorded as soon as its volume exists (a volume without a record is still listed, by its label), so that an
    // interrupted preparation is found again and can be completed or purged.
    Record record = existing.map(r -> r.withSizes(request)).orElse(new Record(id, request, OptionalLong.empty()));
    if (!request.hasPersistent()) {
      records.write(record);
      return plan(record);
    }
    Path cipher = cipherDirectory(id);
    boolean initialised = Files.exists(cipher.resolve(GOCRYPTFS_CONF));
    if (initialised && !keys.exists(id)) {
      throw new StorageException.KeyMissing(id, keys.file(id).toString());
    }
    ensureVolume(id, request.persistent());
    records.write(record);
    requireQuota(id, request.persistent());
    byte[] key = keys.readOrCreate(id);
    if (!initialised) {
      initialiseCipherDirectory(cipher, key);
    }
    return plan(record);
  }

  private void ensureVolume(InstrumentId id, ByteSize size) {
    String name = volumeName(id);
    poolLock.lock();
    try {
      List<StorageVolume> volumes = await(runtime.listVolumes(settings.pool()));
      Optional<StorageVolume> volume = volumes.stream().filter(v -> v.name().equals(name)).findFirst();
      if (volume.isPresent()) {
        String configured = volume.get().config().getOrDefault("size", "");
        if (!sameSize(configured, size)) {
          throw new StorageException.Conflict(id, "its volume " + name + " has size '" + configured + "', not "
              + size + "; resizing is not supported: purge it and prepare it again");
        }
        return;
      }
      requireBtrfsPool();
      if (!settings.allowOvercommit()) {
        requireRoom(id, size);
      }
      Map<String, String> config = new LinkedHashMap<>();
      config.put("size", size.toString());
      config.put(INSTRUMENT_LABEL, id.value());
      await(runtime.createVolume(new VolumeSpec(settings.pool(), name, config)));
    } finally {
      poolLock.unlock();
    }
  }

  /** Refuses, before any volume is created, a pool that is not btrfs: a {@code dir} pool ignores size=. */
  private void requireBtrfsPool() {
    String type;
    try {
      type = Files.getFileStore(settings.poolPath()).type();
    } catch (IOException e) {
      throw new StorageException.Unsupported("storage pool " + settings.pool() + " is not mounted at "
          + settings.poolPath() + " (" + e.getMessage() + "): run scripts/setup.sh, or set sensor.storage.lxd-dir");
    }
    if (!type.equals("btrfs")) {
      throw new StorageException.Unsupported("storage pool " + settings.pool() + " is on " + type
          + ", not btrfs: it would not enforce the Instruments' quotas (scripts/setup.sh creates a btrfs pool)");
    }
  }

  /** Fails unless the pool can hold every recorded persistent quota plus {@code size}. */
  private void requireRoom(InstrumentId id, ByteSize size) {
    long promised = records.list().stream()
        .filter(r -> !r.id().equals(id))
        .mapToLong(r -> r.sizes().persistent().bytes())
        .sum();
    long capacity;
    try {
      capacity = Files.getFileStore(settings.poolPath()).getTotalSpace();
    } catch (IOException e) {
      throw new StorageException.Unsupported("storage pool " + settings.pool() + " is not mounted at "
          + settings.poolPath() + " (" + e.getMessage() + "): run scripts/setup.sh, or set sensor.storage.lxd-dir");
    }
    if (promised + size.bytes() > capacity) {
      throw new StorageException.InsufficientSpace(id, "pool " + settings.pool() + " holds "
          + ByteSize.ofBytes(capacity) + " and has promised " + promised + " bytes to other Instruments; "
          + size + " more does not fit (enlarge the pool, or set sensor.storage.allow-overcommit)");
    }
  }

  /** Checks that the volume's quota is really enforced: the pool is btrfs and the limit is the requested size. */
  private void requireQuota(InstrumentId id, ByteSize size) {
    Path volume = volumePath(id);
    if (!Files.isDirectory(volume)) {
      throw new StorageException.Unsupported("the volume of instrument " + id + " is not at " + volume
          + ": is sensor.storage.lxd-dir (" + settings.lxdDir() + ") LXD's directory?");
    }
    Qgroup group = qgroup(volume);
    if (group.maxReferencedBytes().orElse(-1) != size.bytes()) {
      throw new StorageException.Unsupported("the volume of instrument " + id + " is not limited to " + size
          + " (btrfs quota group " + group + "): pool " + settings.pool() + " does not enforce size=");
    }
  }

  private Qgroup qgroup(Path volume) {
    CommandResult result = commands.run(Commands.qgroupShow(volume), settings.commandTimeout());
    if (!result.succeeded()) {
      throw new StorageException.Unsupported("pool " + settings.pool() + " has no btrfs quotas at " + volume
          + " (btrfs qgroup show: " + result.stderr().strip() + "): it must be a btrfs pool; see scripts/setup.sh");
    }
    try {
      return Qgroup.parse(result.stdout());
    } catch (IllegalArgumentException e) {
      throw new StorageException.CommandFailed(Commands.qgroupShow(volume).display(), 0, e.getMessage());
    }
  }

  /** gocryptfs -init wants an empty directory: anything an interrupted init left is removed first. */
  private void initialiseCipherDirectory(Path cipher, byte[] key) throws IOException {
    if (Files.isDirectory(cipher)) {
      deleteContents(cipher);
    } else {
      Files.createDirectory(cipher, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    Files.setPosixFilePermissions(cipher, PosixFilePermissions.fromString("rwx------"));
    commands.check(build.gocryptfsInit(cipher, key), settings.commandTimeout());
  }

  // ------------------------------------------------------------------------------------------------------------
  // open

  private List<DeviceAttachment> doOpen(InstrumentId id, long rootHostUid) throws IOException {
    Record record = records.read(id).orElseThrow(() -> new StorageException.NotPrepared(id));
    long owner = rootHostUid + settings.instrumentUid();
    List<DeviceAttachment> devices = new ArrayList<>();
    ensurePrivateDirectory(instrumentDir(id));
    if (record.sizes().hasPersistent()) {
      openPersistent(id);
      Path data = persistentMount(id).resolve(DATA_DIR);
      if (!Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
        createOwnedDirectory(data, owner);
      } else {
        long dataOwner = (Integer) Files.getAttribute(data, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        long fromBase = dataOwner - settings.instrumentUid();
        if (dataOwner != owner && fromBase > 0) {
          // The container was created anew with another uid range: move the Instrument's files into it.
          Ownership.shiftTree(data, fromBase, rootHostUid, settings.uidRange());
        }
        createOwnedDirectory(data, owner);
      }
      devices.add(new DeviceAttachment(PERSISTENT_DEVICE, new Device.Disk(data.toString(), PERSISTENT_PATH, false)));
    }
    if (record.sizes().hasTransient()) {
      Path data = openTransient(id, record.sizes().transientSize(), owner);
      devices.add(new DeviceAttachment(TRANSIENT_DEVICE, new Device.Disk(data.toString(), TRANSIENT_PATH, false)));
    }
    if (record.uidBase().orElse(-1) != rootHostUid) {
      records.write(record.withUidBase(rootHostUid));
    }
    return List.copyOf(devices);
  }

  private void openPersistent(InstrumentId id) throws IOException {
    Path mountPoint = persistentMount(id);
    Optional<Mount> mounted = mounts.at(mountPoint);
    if (mounted.isPresent()) {
      requireOurs(id, mounted.get(), "fuse.gocryptfs", fsName(id));
      if (alive(mountPoint)) {
        return;
      }
      // The daemon died (killed, crashed): detach the dead mount and mount again.
      commands.check(Commands.umountLazy(mountPoint), settings.commandTimeout());
    }
    Path cipher = cipherDirectory(id);
    if (!Files.exists(cipher.resolve(GOCRYPTFS_CONF))) {
      throw new StorageException.Conflict(id, "its encrypted directory " + cipher
          + " is missing or not initialised: prepare it again");
    }
    byte[] key = keys.read(id).orElseThrow(() -> new StorageException.KeyMissing(id, keys.file(id).toString()));
    ensureMountPoint(mountPoint);
    Path log = instrumentDir(id).resolve("gocryptfs.log");
    var mount = build.gocryptfsMount(cipher, mountPoint, fsName(id), key, log);
    CommandResult result = commands.run(mount, settings.commandTimeout());
    if (result.exitCode() == Commands.GOCRYPTFS_PASSWORD_INCORRECT) {
      throw new StorageException.KeyRejected(id, result.stderr());
    }
    if (!result.succeeded()) {
      throw new StorageException.CommandFailed(mount.display(), result.exitCode(), result.stderr());
    }
  }

  /** Mounts a fresh tmpfs, unless a running container still uses the one there. Returns the directory to attach. */
  private Path openTransient(InstrumentId id, ByteSize size, long owner) throws IOException {
    Path mountPoint = transientMount(id);
    Path data = mountPoint.resolve(DATA_DIR);
    Optional<Mount> mounted = mounts.at(mountPoint);
    if (mounted.isPresent()) {
      requireOurs(id, mounted.get(), "tmpfs", transientSource(id));
      if (!mounts.otherNamespacesWith(mounted.get().device()).isEmpty()) {
        return data;
      }
      commands.check(Commands.umount(mountPoint), settings.commandTimeout());
    }
    ensureMountPoint(mountPoint);
    commands.check(Commands.mountTmpfs(mountPoint, size.bytes(), transientSource(id)), settings.commandTimeout());
    createOwnedDirectory(data, owner);
    return data;
  }

  private static void requireOurs(InstrumentId id, Mount mount, String fsType, String source) {
    if (!mount.fsType().equals(fsType) || !mount.source().equals(source)) {
      throw new StorageException.Conflict(id, "something else is mounted at " + mount.mountPoint() + " ("
          + mount.fsType() + " " + mount.source() + ")");
    }
  }

  /** False for a FUSE mount whose daemon is gone: the kernel answers "Transport endpoint is not connected". */
  private static boolean alive(Path mountPoint) {
    try {
      Files.readAttributes(mountPoint, BasicFileAttributes.class);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // close, purge

  /**
   * Pids of other mount namespaces holding {@code mount}, after waiting out short-lived ones: every namespace
   * created on the host copies our mounts (a container being started, before its pivot_root; {@code ip netns exec};
   * {@code unshare}), and holds them for milliseconds. Only a holder still there after
   * {@link #IN_USE_ATTEMPTS} looks, {@link #IN_USE_PAUSE} apart, is a real user (a running container).
   */
  private List<Long> otherUsers(Mount mount) throws IOException {
    List<Long> users = mounts.otherNamespacesWith(mount.device());
    for (int attempt = 1; attempt < IN_USE_ATTEMPTS && !users.isEmpty(); attempt++) {
      LockSupport.parkNanos(IN_USE_PAUSE.toNanos());  // on the storage's blocking executor, never an actor
      users = mounts.otherNamespacesWith(mount.device());
    }
    return users;
  }

  private void doClose(InstrumentId id, boolean persistent, boolean transientToo) throws IOException {
    List<Path> points = new ArrayList<>();
    if (persistent) {
      points.add(persistentMount(id));
    }
    if (transientToo) {
      points.add(transientMount(id));
    }
    // Every mount is checked before any is unmounted: a refused close changes nothing.
    Map<Path, Mount> found = new LinkedHashMap<>();
    for (Path point : points) {
      Optional<Mount> mount = mounts.at(point);
      if (mount.isPresent()) {
        List<Long> users = otherUsers(mount.get());
        if (!users.isEmpty()) {
          throw new StorageException.InUse(id,
              point.equals(persistentMount(id)) ? "persistent directory" : "transient directory", users,
              users.stream().map(mounts::describe).toList());
        }
        found.put(point, mount.get());
      }
    }
    for (Path point : found.keySet()) {
      CommandResult result = commands.run(Commands.umount(point), settings.commandTimeout());
      if (!result.succeeded()) {
        if (alive(point)) {
          throw new StorageException.CommandFailed(Commands.umount(point).display(), result.exitCode(),
              result.stderr());
        }
        commands.check(Commands.umountLazy(point), settings.commandTimeout());
      }
      Files.setPosixFilePermissions(point, PosixFilePermissions.fromString("---------"));
    }
  }

  private void doPurge(InstrumentId id) throws IOException {
    doClose(id, true, true);
    waitForDaemonExit(cipherDirectory(id));
    try {
      await(runtime.deleteVolume(settings.pool(), volumeName(id)));
    } catch (ContainerRuntimeException.NotFound e) {
      // Never created, or already deleted.
    }
    keys.destroy(id);
    records.delete(id);
    Path dir = instrumentDir(id);
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      // Nothing is mounted below it any more (close succeeded), so this deletes only our empty mount points and
      // the gocryptfs log.
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /** After the unmount the gocryptfs daemon exits by itself; its volume is deleted only once it has. */
  private void waitForDaemonExit(Path cipher) {
    long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
    String needle = cipher.toString();
    while (System.nanoTime() < deadline) {
      boolean running = ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
          .map(args -> List.of(args).contains(needle) && p.info().command().orElse("").endsWith("gocryptfs"))
          .orElse(false));
      if (!running) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // usage, list

  private StorageUsage doUsage(InstrumentId id) throws IOException {
    Record record = records.read(id).orElseThrow(() -> new StorageException.NotPrepared(id));
    long persistentUsed = 0;
    long persistentQuota = 0;
    if (record.sizes().hasPersistent()) {
      Qgroup group = qgroup(volumePath(id));
      persistentUsed = group.referencedBytes();
      persistentQuota = group.maxReferencedBytes().orElse(record.sizes().persistent().bytes());
    }
    long transientUsed = 0;
    Path transientPoint = transientMount(id);
    if (mounts.at(transientPoint).isPresent()) {
      FileStore store = Files.getFileStore(transientPoint);
      transientUsed = store.getTotalSpace() - store.getUnallocatedSpace();
    }
    return new StorageUsage(id, persistentUsed, persistentQuota, transientUsed,
        record.sizes().transientSize().bytes());
  }

  private List<StorageStatus> doList() throws IOException {
    Map<InstrumentId, StoragePlan> plans = new HashMap<>();
    for (Record record : records.list()) {
      plans.put(record.id(), plan(record));
    }
    // Volumes without a record (the data directory was lost or replaced): listed so they can be purged.
    for (StorageVolume v : await(runtime.listVolumes(settings.pool()))) {
      String owner = v.config().get(INSTRUMENT_LABEL);
      if (owner != null && InstrumentId.isValid(owner) && !plans.containsKey(InstrumentId.of(owner))) {
        InstrumentId id = InstrumentId.of(owner);
        ByteSize size = parseSize(v.config().getOrDefault("size", "0"));
        plans.put(id, new StoragePlan(id, new StorageRequest(size, ByteSize.ZERO),
            size.isZero() ? Optional.empty() : Optional.of(new StoragePlan.VolumeRef(v.pool(), v.name()))));
      }
    }
    List<Mount> own = mounts.own();
    List<StorageStatus> statuses = new ArrayList<>();
    for (StoragePlan plan : plans.values()) {
      InstrumentId id = plan.id();
      statuses.add(new StorageStatus(plan, keys.exists(id),
          own.stream().anyMatch(m -> m.mountPoint().equals(persistentMount(id))),
          own.stream().anyMatch(m -> m.mountPoint().equals(transientMount(id)))));
    }
    statuses.sort(Comparator.comparing(s -> s.plan().id()));
    return statuses;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Names and paths

  private StoragePlan plan(Record record) {
    Optional<StoragePlan.VolumeRef> volume = record.sizes().hasPersistent()
        ? Optional.of(new StoragePlan.VolumeRef(settings.pool(), volumeName(record.id())))
        : Optional.empty();
    return new StoragePlan(record.id(), record.sizes(), volume);
  }

  private static String volumeName(InstrumentId id) {
    return id.volumeName(VOLUME_PURPOSE);
  }

  /** LXD keeps a custom volume of the default project at {@code <pool>/custom/default_<volume>}. */
  private Path volumePath(InstrumentId id) {
    return settings.poolPath().resolve("custom").resolve("default_" + volumeName(id));
  }

  private Path instrumentDir(InstrumentId id) {
    return settings.mountDir().resolve(id.value());
  }

  private Path persistentMount(InstrumentId id) {
    return instrumentDir(id).resolve("persistent");
  }

  private Path transientMount(InstrumentId id) {
    return instrumentDir(id).resolve("transient");
  }

  /** The source the mount tables show for the decrypted view (also inside the container). */
  static String fsName(InstrumentId id) {
    return "sf-storage-" + id.value();
  }

  static String transientSource(InstrumentId id) {
    return "sf-transient-" + id.value();
  }

  private static boolean sameSize(String configured, ByteSize size) {
    try {
      return parseSize(configured).equals(size);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static ByteSize parseSize(String text) {
    return ByteSize.parse(text.strip());
  }

  // ------------------------------------------------------------------------------------------------------------
  // Host files

  /** The mount directory and the Instrument's directory in it: root's alone (0700). */
  private void ensurePrivateDirectory(Path dir) throws IOException {
    for (Path d : List.of(settings.mountDir(), dir)) {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(d);
      }
      Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** A mount point nobody can use while nothing is mounted on it (mode 0000). */
  private static void ensureMountPoint(Path point) throws IOException {
    if (!Files.isDirectory(point, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(point);
    }
    Files.setPosixFilePermissions(point, PosixFilePermissions.fromString("---------"));
  }

  /**
   * The Instrument's own directory, owned by its uid and gid; created with mode 0750 (what sf-init gives a fresh
   * mount), a mode the Instrument changed later is kept.
   */
  private static void createOwnedDirectory(Path dir, long owner) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    }
    Files.setAttribute(dir, "unix:uid", (int) owner, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(dir, "unix:gid", (int) owner, LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteContents(Path dir) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        try (Stream<Path> walk = Files.walk(child)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(p);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Running the work

  @FunctionalInterface
  private interface Work<T> {
    T run() throws Exception;
  }

  /** Runs {@code work} after every earlier call for {@code id} has ended, whatever their outcome. */
  private <T> CompletionStage<T> serially(InstrumentId id, Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    tails.compute(id, (key, previous) -> {
      CompletableFuture<?> before = previous == null ? CompletableFuture.completedFuture(null) : previous;
      before.whenComplete((ignored, failure) -> start(work, result));
      return result;
    });
    return result;
  }

  private <T> CompletionStage<T> submit(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    start(work, result);
    return result;
  }

  /** Completes {@code result} with the work's value or with its failure itself, never wrapped. */
  private <T> void start(Work<T> work, CompletableFuture<T> result) {
    try {
      executor.execute(() -> {
        try {
          result.complete(work.run());
        } catch (IOException e) {
          result.completeExceptionally(new StorageException.HostIo("host file operation failed", e));
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** A container manager call's value; its failure rethrown as it is (a ContainerRuntimeException stays one). */
  private <T> T await(CompletionStage<T> stage) {
    Duration timeout = settings.runtimeTimeout();
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtimeFailure) {
        throw runtimeFailure;
      }
      throw new StorageException.HostIo("container manager call failed", e.getCause());
    } catch (TimeoutException e) {
      throw new StorageException.CommandTimedOut("container manager call", timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException.HostIo("interrupted while waiting for the container manager", e);
    }
  }
}
