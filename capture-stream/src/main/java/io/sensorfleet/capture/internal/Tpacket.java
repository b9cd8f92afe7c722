package io.sensorfleet.capture.internal;

/**
 * Offsets into the kernel's AF_PACKET structures (linux/if_packet.h, x86_64 and every other LP64 ABI). Read
 * and written through {@code MemorySegment} accessors at these offsets; docs/capture.md draws the layouts.
 */
public final class Tpacket {
  private Tpacket() {}

  // struct tpacket_req3: seven u32
  public static final int REQ3_SIZE = 28;
  public static final int REQ3_BLOCK_SIZE = 0;
  public static final int REQ3_BLOCK_NR = 4;
  public static final int REQ3_FRAME_SIZE = 8;
  public static final int REQ3_FRAME_NR = 12;
  public static final int REQ3_RETIRE_BLK_TOV = 16;
  public static final int REQ3_SIZEOF_PRIV = 20;
  public static final int REQ3_FEATURE_REQ_WORD = 24;

  // struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 hdr; }
  public static final int BD_BLOCK_STATUS = 8;
  public static final int BD_NUM_PKTS = 12;
  public static final int BD_OFFSET_TO_FIRST_PKT = 16;
  public static final int BD_BLK_LEN = 20;
  public static final int BD_SEQ_NUM = 24;

  // block_status bits
  public static final int TP_STATUS_KERNEL = 0;
  public static final int TP_STATUS_USER = 1;

  // struct tpacket3_hdr
  public static final int H3_NEXT_OFFSET = 0;
  public static final int H3_SEC = 4;
  public static final int H3_NSEC = 8;
  public static final int H3_SNAPLEN = 12;
  public static final int H3_LEN = 16;
  public static final int H3_STATUS = 20;
  public static final int H3_MAC = 24; // u16
  // hv1 { u32 tp_rxhash; u32 tp_vlan_tci; u16 tp_vlan_tpid; u16 pad } at 28
  public static final int H3_VLAN_TCI = 32;
  public static final int H3_VLAN_TPID = 36; // u16

  // tp_status bits of a frame
  public static final int TP_STATUS_VLAN_VALID = 0x10;
  public static final int TP_STATUS_VLAN_TPID_VALID = 0x40;
  public static final int ETH_P_8021Q = 0x8100;
  /** Destination and source MAC: where an 802.1Q tag goes back in. */
  public static final int ETH_ADDRS = 12;
  public static final int VLAN_TAG = 4;

  // struct tpacket_stats_v3 { u32 tp_packets; u32 tp_drops; u32 tp_freeze_q_cnt; }
  public static final int STATS3_SIZE = 12;
  public static final int STATS3_PACKETS = 0;
  public static final int STATS3_DROPS = 4;

  // struct sockaddr_ll
  public static final int SLL_SIZE = 20;
  public static final int SLL_FAMILY = 0; // u16
  public static final int SLL_PROTOCOL = 2; // u16, network order
  public static final int SLL_IFINDEX = 4; // i32

  // struct pollfd { int fd; short events; short revents; }
  public static final int POLLFD_SIZE = 8;

  // struct mmsghdr { struct msghdr msg_hdr (56); unsigned msg_len; } padded to 64
  public static final int MMSG_SIZE = 64;
  public static final int MSG_NAME = 0;
  public static final int MSG_NAMELEN = 8;
  public static final int MSG_IOV = 16;
  public static final int MSG_IOVLEN = 24;
  public static final int MSG_CONTROL = 32;
  public static final int MSG_CONTROLLEN = 40;
  public static final int MSG_FLAGS = 48;
  public static final int MMSG_LEN = 56;

  // struct iovec { void *iov_base; size_t iov_len; }
  public static final int IOV_SIZE = 16;
  public static final int IOV_BASE = 0;
  public static final int IOV_LEN = 8;
}
