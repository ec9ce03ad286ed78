package io.conduit.ring;

import org.agrona.concurrent.AtomicBuffer;

import static io.conduit.file.ChannelFileDescriptor.FILE_HEADER_LENGTH;

/**
 * Read-only state shared by both sides of a ring, laid out first.
 */
abstract class RingConstants
{
    final AtomicBuffer header;
    final AtomicBuffer buffer;
    /** The hot path's access to {@link #header}: field offsets below the checked header length only. */
    final RingMemory headerMemory;
    /** The hot path's access to {@link #buffer}: masked or checked offsets only. */
    final RingMemory ringMemory;
    final int capacity;
    final int mask;
    final int maxMessageLength;
    final int maxFrameLength;
    final long stuckClaimTimeoutNs;
    final String fileName;
    /** This process's role word: its pid and start stamp ({@link ProcessIdentity}). */
    final long pid;
    /** True if this process could not register for the asymmetric fence: it fences before reading waiters. */
    final boolean fenceOnSignal;

    RingConstants(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        this.header = header;
        this.buffer = buffer;
        this.capacity = buffer.capacity();
        if (capacity < RecordDescriptor.ALIGNMENT || 1 != Integer.bitCount(capacity))
        {
            throw new IllegalArgumentException("ring capacity=" + capacity + " expected a power of two >= " +
                RecordDescriptor.ALIGNMENT + " file=" + fileName);
        }
        if (header.capacity() < FILE_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("header length=" + header.capacity() + " expected >= " +
                FILE_HEADER_LENGTH + " file=" + fileName);
        }
        // the channel file's limit: a claim of the longest message then fits at any offset of an empty ring, before
        // the end or after padding, with room for the clean granule that MPSC keeps behind its head; a longer one
        // could be refused for good, and one near 2^31 overflowed its aligned length
        try
        {
            io.conduit.file.ChannelFileDescriptor.checkMaxMessageLength(maxMessageLength, capacity);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(ex.getMessage() + " (capacity / 8 - " + RecordDescriptor.HEADER_LENGTH +
                ") file=" + fileName, ex);
        }
        if (stuckClaimTimeoutNs < 0)
        {
            throw new IllegalArgumentException("stuckClaimTimeoutNs=" + stuckClaimTimeoutNs + " expected >= 0 file=" +
                fileName);
        }
        this.headerMemory = RingMemory.of(header);
        this.ringMemory = RingMemory.of(buffer);
        this.mask = capacity - 1;
        this.maxMessageLength = maxMessageLength;
        this.maxFrameLength = maxMessageLength + RecordDescriptor.HEADER_LENGTH;
        this.stuckClaimTimeoutNs = stuckClaimTimeoutNs;
        this.fileName = fileName;
        this.pid = ProcessIdentity.current();
        this.fenceOnSignal = !io.conduit.wait.AsymmetricFence.registerLightSide();
    }
}

/**
 * Padding between the constants and the producer fields.
 */
@SuppressWarnings("unused")
abstract class RingPad1 extends RingConstants
{
    byte p000, p001, p002, p003, p004, p005, p006, p007; // 8b
    byte p008, p009, p010, p011, p012, p013, p014, p015; // 16b
    byte p016, p017, p018, p019, p020, p021, p022, p023; // 24b
    byte p024, p025, p026, p027, p028, p029, p030, p031; // 32b
    byte p032, p033, p034, p035, p036, p037, p038, p039; // 40b
    byte p040, p041, p042, p043, p044, p045, p046, p047; // 48b
    byte p048, p049, p050, p051, p052, p053, p054, p055; // 56b
    byte p056, p057, p058, p059, p060, p061, p062, p063; // 64b
    byte p064, p065, p066, p067, p068, p069, p070, p071; // 72b
    byte p072, p073, p074, p075, p076, p077, p078, p079; // 80b
    byte p080, p081, p082, p083, p084, p085, p086, p087; // 88b
    byte p088, p089, p090, p091, p092, p093, p094, p095; // 96b
    byte p096, p097, p098, p099, p100, p101, p102, p103; // 104b
    byte p104, p105, p106, p107, p108, p109, p110, p111; // 112b
    byte p112, p113, p114, p115, p116, p117, p118, p119; // 120b
    byte p120, p121, p122, p123, p124, p125, p126, p127; // 128b

    RingPad1(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }
}

/**
 * Fields written only by the producer side of this process.
 */
abstract class RingProducerFields extends RingPad1
{
    /** SPSC: the producer's own tail; MPSC: the bias holder's. */
    long producerTail;
    /** SPSC: last head seen; MPSC: the clean position the bias holder last read (shared producers use the file's). */
    long headCache;
    /** SPSC: messages sent by this producer, mirrored in the header. */
    long messagesSent;
    /** SPSC: the header slot of every line in [producerTail, zeroLimit) is known to be zero. */
    long zeroLimit;
    /**
     * SPSC: offset of the latest claim, left unmarked until another claim is made, or -1. MPSC: offset of the owner
     * thread's latest claim (marked) until it is committed or aborted, or -1.
     */
    int pendingOffset = -1;
    /** SPSC: the mark the pending claim gets if another claim is made; MPSC: that claim's mark, kept in memory. */
    long pendingMark;
    /** MPSC: offset of this ring object's producer slot in the header, or -1 if none. */
    int slotOffset = -1;
    boolean producerAttached;
    // MPSC bias: the tail tag this object's slot would hold (0: it may not hold the bias), whether its owner thread
    // believes it holds it, and claims until its next look for a chance to take it
    int biasTag;
    boolean biased;
    int grantCountdown;
    /** MPSC: bias periods taken by this object (0 none); the owner's latest claim's period, 0 if made shared. */
    long biasPeriod;
    long pendingPeriod;
    /** MPSC: the thread that registered this object's producer slot, the only writer of its owner counter. */
    Thread ownerThread;
    /** MPSC: another thread claimed through this object since the owner's last look for the bias (plain: a hint). */
    boolean siblingClaimed;
    /**
     * MPSC: the highest clean position this object's shared claims have loaded and checked, the furthest they trust the
     * file's shared cache of it (plain: a racing thread may store an older one, which only makes a claim look again).
     */
    long checkedClean;

    RingProducerFields(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }
}

/**
 * Padding between the producer fields and the consumer fields.
 */
@SuppressWarnings("unused")
abstract class RingPad2 extends RingProducerFields
{
    byte q000, q001, q002, q003, q004, q005, q006, q007; // 8b
    byte q008, q009, q010, q011, q012, q013, q014, q015; // 16b
    byte q016, q017, q018, q019, q020, q021, q022, q023; // 24b
    byte q024, q025, q026, q027, q028, q029, q030, q031; // 32b
    byte q032, q033, q034, q035, q036, q037, q038, q039; // 40b
    byte q040, q041, q042, q043, q044, q045, q046, q047; // 48b
    byte q048, q049, q050, q051, q052, q053, q054, q055; // 56b
    byte q056, q057, q058, q059, q060, q061, q062, q063; // 64b
    byte q064, q065, q066, q067, q068, q069, q070, q071; // 72b
    byte q072, q073, q074, q075, q076, q077, q078, q079; // 80b
    byte q080, q081, q082, q083, q084, q085, q086, q087; // 88b
    byte q088, q089, q090, q091, q092, q093, q094, q095; // 96b
    byte q096, q097, q098, q099, q100, q101, q102, q103; // 104b
    byte q104, q105, q106, q107, q108, q109, q110, q111; // 112b
    byte q112, q113, q114, q115, q116, q117, q118, q119; // 120b
    byte q120, q121, q122, q123, q124, q125, q126, q127; // 128b

    RingPad2(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }
}

/**
 * Fields written only by the consumer side of this process.
 */
abstract class RingConsumerFields extends RingPad2
{
    long head;
    long cleanPosition;
    long messagesReceived;
    long bytesReceived;
    long stuckPosition = -1;
    long stuckSinceNs;
    /**
     * The end of a message past which the consumer next checks that what it reads lies below the producers' tail:
     * once a lap, so a file corrupted into records all the way round is refused within a lap, not read for ever.
     */
    long tailCheckPosition;
    int stuckPolls;
    int idlePolls;
    boolean consumerAttached;
    /** A read or controlledRead is running: a handler's own read of this ring is refused. */
    boolean reading;
    /** MPSC: the head at the last sweep of the producer slots' claims. */
    long sweptPosition;
    /** MPSC: wake-up calls for space in a row that woke nobody, counted towards the next look for dead sleepers. */
    int emptySpaceWakes;
    /** MPSC: when the consumer last looked for dead sleepers because of them (package-private: tests move it). */
    long lastReclaimNs;

    RingConsumerFields(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }
}

/**
 * Padding after the consumer fields.
 */
@SuppressWarnings("unused")
abstract class RingPad3 extends RingConsumerFields
{
    byte r000, r001, r002, r003, r004, r005, r006, r007; // 8b
    byte r008, r009, r010, r011, r012, r013, r014, r015; // 16b
    byte r016, r017, r018, r019, r020, r021, r022, r023; // 24b
    byte r024, r025, r026, r027, r028, r029, r030, r031; // 32b
    byte r032, r033, r034, r035, r036, r037, r038, r039; // 40b
    byte r040, r041, r042, r043, r044, r045, r046, r047; // 48b
    byte r048, r049, r050, r051, r052, r053, r054, r055; // 56b
    byte r056, r057, r058, r059, r060, r061, r062, r063; // 64b
    byte r064, r065, r066, r067, r068, r069, r070, r071; // 72b
    byte r072, r073, r074, r075, r076, r077, r078, r079; // 80b
    byte r080, r081, r082, r083, r084, r085, r086, r087; // 88b
    byte r088, r089, r090, r091, r092, r093, r094, r095; // 96b
    byte r096, r097, r098, r099, r100, r101, r102, r103; // 104b
    byte r104, r105, r106, r107, r108, r109, r110, r111; // 112b
    byte r112, r113, r114, r115, r116, r117, r118, r119; // 120b
    byte r120, r121, r122, r123, r124, r125, r126, r127; // 128b

    RingPad3(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }
}
