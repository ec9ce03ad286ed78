package io.conduit.file;

import io.conduit.CorruptChannelException;
import io.conduit.ring.RingKind;
import org.agrona.BitUtil;

import java.nio.file.Path;

/**
 * Layout of a channel file: a fixed header of {@link #FILE_HEADER_LENGTH} bytes followed by the ring.
 * <pre>
 *   File
 *  +----------------------------+  0
 *  |  Descriptor                |  written once at creation, read-only afterwards
 *  +----------------------------+  128
 *  |  Producer line             |  tail, send counters, producer liveness
 *  +----------------------------+  256
 *  |  Head cache line           |  producers' shared cache of the clean position (MPSC)
 *  +----------------------------+  384
 *  |  Consumer line             |  head, receive counters, consumer liveness
 *  +----------------------------+  512
 *  |  Data futex line           |  futex word consumers sleep on when the ring is empty
 *  +----------------------------+  640
 *  |  Space futex line          |  futex word producers sleep on when the ring is full
 *  +----------------------------+  768
 *  |  Clean line                |  MPSC: position below which consumed lines are cleared
 *  +----------------------------+  896
 *  |  Bias line                 |  MPSC: where the latest bias was revoked
 *  +----------------------------+  1024
 *  |  Producer slots            |  MAX_PRODUCERS slots of 128 bytes, one per MPSC producer ring object
 *  +----------------------------+  5120 = FILE_HEADER_LENGTH
 *  |  Ring (capacity bytes)     |  records, see io.conduit.ring.RecordDescriptor
 *  +----------------------------+  FILE_HEADER_LENGTH + capacity = file length
 * </pre>
 * Every line is 128 bytes so that fields written by different sides never share a cache line, nor a pair of lines
 * the adjacent-line prefetcher fetches together.
 * <pre>
 *   Descriptor
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     Magic ("CONDUIT\0"), written last         |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                        Layout Version                         |
 *   +---------------------------------------------------------------+
 *   |                          Ring Kind                            |
 *   +---------------------------------------------------------------+
 *   |                       Capacity (bytes)                        |
 *   +---------------------------------------------------------------+
 *   |                 Max Message Length (bytes)                    |
 *   +---------------------------------------------------------------+
 *   |                     File Length (bytes)                       |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                  Creation Time (epoch ms)                     |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                  Header Length (bytes)                        |
 *   +---------------------------------------------------------------+
 *   |                       Reserved (4 bytes)                      |
 *   +---------------------------------------------------------------+
 *   |                 Stuck Claim Timeout (ns)                      |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                       Reserved (72 bytes)                    ...
 *   +---------------------------------------------------------------+
 *
 *   Producer line (128)                 Head cache line (256)
 *   +-------------------------------+   +-------------------------------+
 *   |  Tail Position (long) [1]     |   |  Head Cache Position (long)   |
 *   +-------------------------------+   +-------------------------------+
 *   |  Messages Sent (long)         |   |  Padding (120 bytes)         ...
 *   +-------------------------------+   +-------------------------------+
 *   |  Back-Pressure Events (long)  |
 *   +-------------------------------+   Consumer line (384)
 *   |  Producer Pid (long)          |   +-------------------------------+
 *   +-------------------------------+   |  Head Position (long)         |
 *   |  Producer Heartbeat ms (long) |   +-------------------------------+
 *   +-------------------------------+   |  Reserved (long)              |
 *   |  Padding (88 bytes)          ...  +-------------------------------+
 *   +-------------------------------+   |  Messages Received (long)     |
 *                                       +-------------------------------+
 *   Data futex line (512)               |  Bytes Received (long)        |
 *   +-------------------------------+   +-------------------------------+
 *   |  Data Futex Word (int)        |   |  Records Skipped (long)       |
 *   +-------------------------------+   +-------------------------------+
 *   |  Data Waiters (int)           |   |  Consumer Pid (long)          |
 *   +-------------------------------+   +-------------------------------+
 *   |  Data Wake-Ups (long)         |   |  Consumer Heartbeat ms (long) |
 *   +-------------------------------+   +-------------------------------+
 *   |  Data Deaf Wakers (int)       |   |  Padding (72 bytes)          ...
 *   +-------------------------------+   +-------------------------------+
 *   |  Padding (108 bytes)         ...
 *   +-------------------------------+
 *
 *   Space futex line (640): Space Futex Word (int), Space Waiters (int), Space Wake-Ups (long), Space Deaf Wakers
 *   (int), padding.
 *   Clean line (768): Clean Position (long), padding. Apart from the head, which moves every batch, because
 *   producers of a full MPSC ring poll it.
 *   Bias line (896): Bias Revoked Tail (long), padding. Written once per revocation of an MPSC bias.
 *
 *   Producer slot (one per registered MPSC producer ring object, written by its process; the consumer clears a
 *   consumed claim, and frees the slot of a dead process that had sleepers counted in it)
 *   +-------------------------------+
 *   |  Pid (long), 0 when free      |
 *   +-------------------------------+
 *   |  Claim (long)                 |  the latest claim through the object: position and length in one word
 *   +-------------------------------+
 *   |  Space Sleepers (long)        |  the object's threads asleep for space, also counted in Space Waiters
 *   +-------------------------------+
 *   |  Messages Sent (long)         |  by threads other than the one that registered the slot, atomically
 *   +-------------------------------+
 *   |  Owner Messages Sent (long)   |  by the thread that registered the slot, plain stores
 *   +-------------------------------+
 *   |  Bias Section (long)          |  bias holder: 1 claiming, 3 committing, 0 between; 2 holds no bias
 *   +-------------------------------+
 *   |  Padding (80 bytes)          ...
 *   +-------------------------------+
 * </pre>
 * [1] MPSC: the tail position with a bias tag in its low 6 bits, see {@link #TAIL_TAG_MASK}.
 * <p>
 * Positions are 64-bit byte counters that never wrap; a ring offset is {@code position & (capacity - 1)}.
 */
public final class ChannelFileDescriptor
{
    /** "CONDUIT" followed by a zero byte, little-endian. */
    public static final long MAGIC = 0x0054_4955_444E_4F43L;
    /**
     * Layout version this code reads and writes. 5: the producer, consumer and slot pid words hold a process word,
     * the pid and its process's start stamp ({@code io.conduit.ring.ProcessIdentity}), where 4 held a bare pid and
     * took every larger word for a dead process. 4: an MPSC tail word carries a bias tag in its low 6 bits
     * ({@link #TAIL_TAG_MASK}) and a producer slot a bias section word ({@link #SLOT_BIAS_SECTION_OFFSET}). 3: a
     * producer slot records a claim in one 64-bit word (2 stored its position and its length apart, in three steps
     * that two threads of one process could interleave). 2: records are 64-byte aligned (1 aligned them to 8 bytes
     * and followed each with a padding record to the end of its line).
     */
    public static final int LAYOUT_VERSION = 5;
    /** Distance between fields written by different sides. */
    public static final int LINE_LENGTH = 128;

    /** Offset of the magic word. */
    public static final int MAGIC_OFFSET;
    /** Offset of the layout version. */
    public static final int LAYOUT_VERSION_OFFSET;
    /** Offset of the ring kind code. */
    public static final int RING_KIND_OFFSET;
    /** Offset of the ring capacity. */
    public static final int CAPACITY_OFFSET;
    /** Offset of the max message length. */
    public static final int MAX_MESSAGE_LENGTH_OFFSET;
    /** Offset of the file length. */
    public static final int FILE_LENGTH_OFFSET;
    /** Offset of the creation time. */
    public static final int CREATION_TIME_OFFSET;
    /** Offset of the header length. */
    public static final int HEADER_LENGTH_OFFSET;
    /** Offset of the stuck claim timeout. */
    public static final int STUCK_CLAIM_TIMEOUT_OFFSET;

    /** Offset of the producer line. */
    public static final int PRODUCER_LINE_OFFSET;
    /** Offset of the tail position. */
    public static final int TAIL_POSITION_OFFSET;
    /** Offset of the messages sent counter. */
    public static final int MESSAGES_SENT_OFFSET;
    /** Offset of the back-pressure events counter. */
    public static final int BACK_PRESSURE_EVENTS_OFFSET;
    /** Offset of the producer pid: a process word, pid and start stamp ({@code ProcessIdentity}). */
    public static final int PRODUCER_PID_OFFSET;
    /** Offset of the producer heartbeat. */
    public static final int PRODUCER_HEARTBEAT_OFFSET;

    /** Offset of the head cache line. */
    public static final int HEAD_CACHE_LINE_OFFSET;
    /** Offset of the producers' shared head cache position. */
    public static final int HEAD_CACHE_POSITION_OFFSET;

    /** Offset of the consumer line. */
    public static final int CONSUMER_LINE_OFFSET;
    /** Offset of the head position. */
    public static final int HEAD_POSITION_OFFSET;
    /**
     * Offset of the clean position (MPSC: the header slots of the lines below it are cleared, and they may be claimed
     * in the next lap).
     */
    public static final int CLEAN_POSITION_OFFSET;
    /** Offset of the messages received counter. */
    public static final int MESSAGES_RECEIVED_OFFSET;
    /** Offset of the bytes received counter. */
    public static final int BYTES_RECEIVED_OFFSET;
    /** Offset of the records skipped counter. */
    public static final int RECORDS_SKIPPED_OFFSET;
    /** Offset of the consumer pid: a process word, pid and start stamp ({@code ProcessIdentity}). */
    public static final int CONSUMER_PID_OFFSET;
    /** Offset of the consumer heartbeat. */
    public static final int CONSUMER_HEARTBEAT_OFFSET;

    /** Offset of the data futex line. */
    public static final int DATA_FUTEX_LINE_OFFSET;
    /** Offset of the 32-bit futex word consumers sleep on. */
    public static final int DATA_FUTEX_WORD_OFFSET;
    /** Offset of the count of consumers announced as sleeping or about to. */
    public static final int DATA_WAITERS_OFFSET;
    /** Offset of the data wake-ups counter. */
    public static final int DATA_WAKE_UPS_OFFSET;
    /**
     * Offset of the data deaf-wakers flag: non-zero once a producer that cannot make a FUTEX_WAKE (a process on the
     * park/poll fallback) has attached, so that consumers asleep in the kernel bound their sleeps. Cleared by a native
     * SPSC producer's attach; an MPSC ring's stays set.
     */
    public static final int DATA_DEAF_WAKERS_OFFSET;

    /** Offset of the space futex line. */
    public static final int SPACE_FUTEX_LINE_OFFSET;
    /** Offset of the 32-bit futex word producers sleep on. */
    public static final int SPACE_FUTEX_WORD_OFFSET;
    /** Offset of the count of producers announced as sleeping or about to. */
    public static final int SPACE_WAITERS_OFFSET;
    /** Offset of the space wake-ups counter. */
    public static final int SPACE_WAKE_UPS_OFFSET;
    /**
     * Offset of the space deaf-wakers flag: as {@link #DATA_DEAF_WAKERS_OFFSET}, for a consumer that frees space;
     * cleared by a native consumer's attach.
     */
    public static final int SPACE_DEAF_WAKERS_OFFSET;

    /** Offset of the clean line. */
    public static final int CLEAN_LINE_OFFSET;
    /** Offset of the bias line. */
    public static final int BIAS_LINE_OFFSET;
    /**
     * Offset of the tail word of the latest MPSC bias revocation (its position with the revoking tag; 0 if none): no
     * producer takes the bias again at that position, so a tail word tagged as revoking never repeats, and a revoker
     * delayed past the end of one revocation cannot untag a later one by mistake (positions only grow).
     */
    public static final int BIAS_REVOKED_TAIL_OFFSET;
    /**
     * Most MPSC producers (ring objects, normally one per process) that get a slot; more may send, but without
     * dead-claimer detection.
     */
    public static final int MAX_PRODUCERS = 32;
    /** Length of one producer slot. */
    public static final int PRODUCER_SLOT_LENGTH = LINE_LENGTH;
    /** Offset of the first producer slot. */
    public static final int PRODUCER_SLOTS_OFFSET;
    /** Offset of the pid within a producer slot: a process word ({@code ProcessIdentity}), 0 when free. */
    public static final int SLOT_PID_OFFSET = 0;
    /**
     * Offset of the claim word within a producer slot: the latest claim's position and length, see {@link #slotClaim}.
     */
    public static final int SLOT_CLAIM_OFFSET = SLOT_PID_OFFSET + Long.BYTES;
    /**
     * Offset of the space sleepers count within a producer slot: the object's threads asleep waiting for space, each
     * also counted in the shared space waiters count. Counted so that the sleepers of a process killed asleep can be
     * taken out of the shared count, which would otherwise cost every freed batch a wake-up call for nobody.
     */
    public static final int SLOT_SPACE_SLEEPERS_OFFSET = SLOT_CLAIM_OFFSET + Long.BYTES;
    /** Offset of the messages sent counter within a producer slot, added to atomically by any thread. */
    public static final int SLOT_MESSAGES_SENT_OFFSET = SLOT_SPACE_SLEEPERS_OFFSET + Long.BYTES;
    /**
     * Offset of the messages sent by the slot's owner thread (the thread that registered the slot) within a producer
     * slot: written only by that thread, with plain stores, so the usual one-thread producer counts without an
     * atomic instruction per message. The slot's count is the sum of both counters.
     */
    public static final int SLOT_OWNER_MESSAGES_SENT_OFFSET = SLOT_MESSAGES_SENT_OFFSET + Long.BYTES;
    /**
     * Offset of the bias section word within a producer slot: 1 (a claim) or 3 (a commit or abort) while the slot's
     * owner thread, holding the MPSC ring's bias, is between checking the tail word and storing what its check
     * allowed; 2 while it holds no bias and knows it (written at registration, and when a section finds the bias
     * revoked); else 0. Revokers wait for it to leave 1, the consumer for it to leave 1 and 3, and a revoker without
     * membarrier for it to read 2. Written only by that thread.
     */
    public static final int SLOT_BIAS_SECTION_OFFSET = SLOT_OWNER_MESSAGES_SENT_OFFSET + Long.BYTES;
    /** Length of the header; the ring starts here. */
    public static final int FILE_HEADER_LENGTH;

    /**
     * The low bits of an MPSC tail word, below the position's line (positions are multiples of 64): 0 when producers
     * claim with a compare-and-set, the tags {@code 1..31} below {@link #BIASED_TAG_LIMIT} while the producer of slot
     * {@code tag - 1} holds the bias (it alone claims, with plain stores), {@code 33..63} while that bias is being
     * revoked ({@code tag - 1 + REVOKING_TAG_STEP}). 32 is never written.
     */
    public static final long TAIL_TAG_MASK = 63;
    /** Biased tags are below this; so only slots {@code 0..30} may hold the bias. */
    public static final int BIASED_TAG_LIMIT = 32;
    /** Added to a biased tag while its bias is revoked. */
    public static final int REVOKING_TAG_STEP = 32;

    /** Bits of a claim word that hold the claim's length in lines; the position's lines, modulo 2^38, fill the rest. */
    static final int SLOT_CLAIM_LENGTH_BITS = 26;
    private static final long SLOT_CLAIM_LENGTH_MASK = (1L << SLOT_CLAIM_LENGTH_BITS) - 1;
    private static final long SLOT_CLAIM_POSITION_MASK = (1L << (Long.SIZE - SLOT_CLAIM_LENGTH_BITS)) - 1;
    private static final int LINE_SHIFT = 6;

    /**
     * The claim word of a producer slot: the claim's position and its length (wrap padding included), both in
     * 64-byte lines, the position's modulo 2^38 in the high 38 bits, the length in the low 26 (a claim is at most a
     * capacity and a longest message, under 2^25 lines). One word, so one store records a claim whole: a producer
     * killed, or another thread of its process claiming, between two stores can never leave one claim's position
     * with another's length. 0 is no claim.
     *
     * @param position the claim's position, a multiple of 64.
     * @param length its length in bytes, a multiple of 64, under 2^32.
     * @return the claim word.
     */
    public static long slotClaim(final long position, final long length)
    {
        return ((position >>> LINE_SHIFT) & SLOT_CLAIM_POSITION_MASK) << SLOT_CLAIM_LENGTH_BITS |
            ((length >>> LINE_SHIFT) & SLOT_CLAIM_LENGTH_MASK);
    }

    /**
     * @param claim a claim word.
     * @return the claim's length in bytes; 0 for no claim.
     */
    public static long slotClaimLength(final long claim)
    {
        return (claim & SLOT_CLAIM_LENGTH_MASK) << LINE_SHIFT;
    }

    /**
     * @param claim a claim word, or 0 for none.
     * @param head the consumer's head.
     * @return true if the word holds no claim, or one wholly behind the head: consumed, it says nothing any more.
     */
    public static boolean isClaimConsumed(final long claim, final long head)
    {
        return 0 == claim || slotClaimLength(claim) <= slotClaimDistance(claim, head);
    }

    /**
     * How far a claim starts before a position: exact for any claim within 2^37 lines (8 TiB) of it. Every claim
     * word read is: the MPSC consumer clears the words of consumed claims every GiB of traffic, so a word read holds
     * a claim at most that plus a capacity behind the head, or one ahead of it, within a capacity.
     *
     * @param claim a claim word.
     * @param position a position, a multiple of 64.
     * @return {@code position - claimPosition} in bytes: negative if the claim starts after the position.
     */
    public static long slotClaimDistance(final long claim, final long position)
    {
        final long lines = ((position >>> LINE_SHIFT) - (claim >>> SLOT_CLAIM_LENGTH_BITS)) & SLOT_CLAIM_POSITION_MASK;
        final long half = (SLOT_CLAIM_POSITION_MASK >>> 1) + 1;
        return (lines < half ? lines : lines - (SLOT_CLAIM_POSITION_MASK + 1)) << LINE_SHIFT;
    }

    /** Smallest ring capacity. */
    public static final int MIN_CAPACITY = 1024;
    /** Largest ring capacity. */
    public static final int MAX_CAPACITY = 1 << 30;

    static
    {
        MAGIC_OFFSET = 0;
        LAYOUT_VERSION_OFFSET = MAGIC_OFFSET + Long.BYTES;
        RING_KIND_OFFSET = LAYOUT_VERSION_OFFSET + Integer.BYTES;
        CAPACITY_OFFSET = RING_KIND_OFFSET + Integer.BYTES;
        MAX_MESSAGE_LENGTH_OFFSET = CAPACITY_OFFSET + Integer.BYTES;
        FILE_LENGTH_OFFSET = MAX_MESSAGE_LENGTH_OFFSET + Integer.BYTES;
        CREATION_TIME_OFFSET = FILE_LENGTH_OFFSET + Long.BYTES;
        HEADER_LENGTH_OFFSET = CREATION_TIME_OFFSET + Long.BYTES;
        STUCK_CLAIM_TIMEOUT_OFFSET = HEADER_LENGTH_OFFSET + Integer.BYTES + Integer.BYTES;

        PRODUCER_LINE_OFFSET = MAGIC_OFFSET + LINE_LENGTH;
        TAIL_POSITION_OFFSET = PRODUCER_LINE_OFFSET;
        MESSAGES_SENT_OFFSET = TAIL_POSITION_OFFSET + Long.BYTES;
        BACK_PRESSURE_EVENTS_OFFSET = MESSAGES_SENT_OFFSET + Long.BYTES;
        PRODUCER_PID_OFFSET = BACK_PRESSURE_EVENTS_OFFSET + Long.BYTES;
        PRODUCER_HEARTBEAT_OFFSET = PRODUCER_PID_OFFSET + Long.BYTES;

        HEAD_CACHE_LINE_OFFSET = PRODUCER_LINE_OFFSET + LINE_LENGTH;
        HEAD_CACHE_POSITION_OFFSET = HEAD_CACHE_LINE_OFFSET;

        CONSUMER_LINE_OFFSET = HEAD_CACHE_LINE_OFFSET + LINE_LENGTH;
        HEAD_POSITION_OFFSET = CONSUMER_LINE_OFFSET;
        MESSAGES_RECEIVED_OFFSET = HEAD_POSITION_OFFSET + 2 * Long.BYTES;
        BYTES_RECEIVED_OFFSET = MESSAGES_RECEIVED_OFFSET + Long.BYTES;
        RECORDS_SKIPPED_OFFSET = BYTES_RECEIVED_OFFSET + Long.BYTES;
        CONSUMER_PID_OFFSET = RECORDS_SKIPPED_OFFSET + Long.BYTES;
        CONSUMER_HEARTBEAT_OFFSET = CONSUMER_PID_OFFSET + Long.BYTES;

        DATA_FUTEX_LINE_OFFSET = CONSUMER_LINE_OFFSET + LINE_LENGTH;
        DATA_FUTEX_WORD_OFFSET = DATA_FUTEX_LINE_OFFSET;
        DATA_WAITERS_OFFSET = DATA_FUTEX_WORD_OFFSET + Integer.BYTES;
        DATA_WAKE_UPS_OFFSET = DATA_WAITERS_OFFSET + Integer.BYTES;
        DATA_DEAF_WAKERS_OFFSET = DATA_WAKE_UPS_OFFSET + Long.BYTES;

        SPACE_FUTEX_LINE_OFFSET = DATA_FUTEX_LINE_OFFSET + LINE_LENGTH;
        SPACE_FUTEX_WORD_OFFSET = SPACE_FUTEX_LINE_OFFSET;
        SPACE_WAITERS_OFFSET = SPACE_FUTEX_WORD_OFFSET + Integer.BYTES;
        SPACE_WAKE_UPS_OFFSET = SPACE_WAITERS_OFFSET + Integer.BYTES;
        SPACE_DEAF_WAKERS_OFFSET = SPACE_WAKE_UPS_OFFSET + Long.BYTES;

        CLEAN_LINE_OFFSET = SPACE_FUTEX_LINE_OFFSET + LINE_LENGTH;
        CLEAN_POSITION_OFFSET = CLEAN_LINE_OFFSET;
        BIAS_LINE_OFFSET = CLEAN_LINE_OFFSET + LINE_LENGTH;
        BIAS_REVOKED_TAIL_OFFSET = BIAS_LINE_OFFSET;
        PRODUCER_SLOTS_OFFSET = BIAS_LINE_OFFSET + LINE_LENGTH;
        FILE_HEADER_LENGTH = PRODUCER_SLOTS_OFFSET + MAX_PRODUCERS * PRODUCER_SLOT_LENGTH;
    }

    private ChannelFileDescriptor()
    {
    }

    /**
     * @param slot producer slot index in [0, {@link #MAX_PRODUCERS}).
     * @return offset of that slot in the header.
     */
    public static int producerSlotOffset(final int slot)
    {
        return PRODUCER_SLOTS_OFFSET + slot * PRODUCER_SLOT_LENGTH;
    }

    /**
     * @param capacity ring capacity in bytes.
     * @return length of a channel file holding a ring of that capacity.
     */
    public static long fileLength(final int capacity)
    {
        return (long)FILE_HEADER_LENGTH + capacity;
    }

    /**
     * @param capacity ring capacity in bytes.
     * @return the default max message length for that capacity: one eighth of it, less a record header.
     */
    public static int defaultMaxMessageLength(final int capacity)
    {
        return capacity / 8 - io.conduit.ring.RecordDescriptor.HEADER_LENGTH;
    }

    /**
     * Check a capacity asked for by a caller.
     *
     * @param capacity ring capacity in bytes.
     * @throws IllegalArgumentException if not a power of two in [{@link #MIN_CAPACITY}, {@link #MAX_CAPACITY}].
     */
    public static void checkCapacity(final int capacity)
    {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("capacity=" + capacity + " expected a power of two in [" +
                MIN_CAPACITY + ", " + MAX_CAPACITY + "]");
        }
    }

    /**
     * Check a max message length asked for by a caller.
     *
     * @param maxMessageLength longest message body.
     * @param capacity ring capacity in bytes.
     * @throws IllegalArgumentException if not in [0, capacity / 8 - record header].
     */
    public static void checkMaxMessageLength(final int maxMessageLength, final int capacity)
    {
        final int limit = defaultMaxMessageLength(capacity);
        if (maxMessageLength < 0 || maxMessageLength > limit)
        {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " expected in [0, " +
                limit + "] for capacity=" + capacity);
        }
    }

    /**
     * Build the error for a header field that failed a check.
     *
     * @param file the channel file.
     * @param field name of the field.
     * @param expected what was expected, as text.
     * @param actual the value found.
     * @return an exception naming all four.
     */
    public static CorruptChannelException fieldError(
        final Path file, final String field, final String expected, final long actual)
    {
        return new CorruptChannelException("channel file header: " + field + "=" + actual + " (0x" +
            Long.toHexString(actual) + ") expected " + expected + " file=" + file);
    }

    /**
     * @param code ring kind code read from a header.
     * @return a description of the valid codes.
     */
    static String validKinds(final int code)
    {
        final StringBuilder sb = new StringBuilder("one of");
        for (final RingKind kind : RingKind.values())
        {
            sb.append(' ').append(kind.code()).append(" (").append(kind).append(')');
        }
        return sb.toString();
    }
}
