package io.conduit.ring;

import io.conduit.CorruptChannelException;
import io.conduit.wait.AsymmetricFence;
import io.conduit.wait.FutexWaiter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.RecordDescriptor.*;

/**
 * A ring with many producers (threads and processes) and one consumer.
 * <p>
 * Producers claim space with a compare-and-set on the tail, then mark the claim (negative length) and commit it with
 * a compare-and-set to the positive length (a producer holding the bias, below, uses release stores for both);
 * records committed out of order are delivered in claim order. Consumed
 * lines get their header slots zeroed by the consumer (records start on lines, so that is all that must read 0), but
 * only after it has stored the head, in bulk, and tracked by a separate clean position: producers may write only
 * below {@code clean + capacity - 8} (the header slot after a claim must stay zero). A consumer killed between the
 * two stores leaves consumed, uncleared lines below the head, which its successor clears before reading; it never
 * finds cleared lines above its head, which is how zero-before-head-store rings corrupt themselves.
 * <p>
 * Each producer (a ring object, normally one per process) registers in one of
 * {@link io.conduit.file.ChannelFileDescriptor#MAX_PRODUCERS} slots and records every claim there, position and length
 * in one word ({@link io.conduit.file.ChannelFileDescriptor#slotClaim}), so that the consumer can skip at once a claim
 * whose process is dead, even one that died before writing its mark. Other stuck claims (of live processes, or earlier
 * claims of other threads sharing a dead process's ring object) are skipped after the stuck claim timeout.
 * <p>
 * A producer alone on the ring takes a <em>bias</em> (its slot's tag in the low bits of the tail word, see
 * {@link io.conduit.file.ChannelFileDescriptor#TAIL_TAG_MASK}): its owner thread then claims and commits with plain
 * release stores, each inside a bias section of its slot, until another producer, the consumer (when it attaches,
 * or is about to skip one of its claims for its age), or the holder's own close revokes the bias through a
 * membarrier ({@link #revokeBias}). docs/LAYOUT.md, "MPSC bias", has the protocol.
 * <p>
 * Threading: any number of producer threads in any number of processes; one consumer thread in one process.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>clean release in the consumer → clean acquire in a producer's capacity check: the header slots of the
 *     lines below clean + capacity are zero;</li>
 *     <li>slot stores, then mark release → header acquire in the consumer's stuck check;</li>
 *     <li>body stores, then commit compare-and-set → header acquire in read;</li>
 *     <li>commit compare-and-set ↔ skip compare-and-set: exactly one wins.</li>
 * </ul>
 */
public final class MpscRing extends AbstractRing
{
    /** The consumer clears consumed lines in whole granules of this many bytes (less for rings under 32 KiB). */
    public static final int MAX_CLEAN_GRANULE = 4096;
    /** The consumer clears consumed claims from the producer slots once per this many bytes (1 GiB). */
    static final long CLAIM_SWEEP_INTERVAL = 1L << 30;
    /** Space wake-ups in a row that woke nobody before a look for sleepers of dead processes. */
    static final int EMPTY_SPACE_WAKES_LIMIT = 64;
    /** Least time between two such looks made for wake-ups that woke nobody (they check processes' liveness). */
    static final long RECLAIM_INTERVAL_NS = 1_000_000_000L;

    /** {@link #tryClaimBiased} found the bias revoked. */
    private static final int NOT_BIASED = Integer.MIN_VALUE;
    /** {@link #offerStatus}: sent. */
    public static final int OFFERED = 1;
    /** {@link #offerStatus}: refused by a producer holding the bias, not for lack of space. */
    public static final int HOLDER_REFUSED = -3;
    /** Shared claims of the owner thread between two looks for a chance to take the bias. */
    static final int GRANT_INTERVAL = 4096;
    /** Polls of a holder's bias section before looking at its liveness. */
    private static final int SECTION_SPINS = 1000;
    /** Longest a producer waits, revoking, for the holder to leave its bias section before reporting back-pressure. */
    static final long REVOKE_PATIENCE_NS = 10_000_000L;
    /** How long a consumer attaching waits for a bias holder to leave its claim section before it gives up. */
    static final long ATTACH_REVOKE_PATIENCE_NS = 2_000_000_000L;
    private static final long ATTACH_REVOKE_PAUSE_NS = 1_000_000L;
    private static final Runnable NO_HOOK = () -> {};
    /** What a revoker found of a bias holder: outside its section, dead, or still inside after all its patience. */
    private static final int HOLDER_OUTSIDE = 0;
    private static final int HOLDER_DEAD = 1;
    private static final int HOLDER_INSIDE = 2;
    /** A bias section word: the holder is claiming under its bias. */
    static final long SECTION_CLAIM = 1L;
    /**
     * A bias section word: the slot's object holds no bias and knows it (it never took one, or one of its sections
     * found it revoked). What a revoker without membarrier waits for.
     */
    static final long SECTION_UNBIASED = 2L;
    /** A bias section word: the holder is committing or aborting under its bias. */
    static final long SECTION_COMMIT = 3L;
    /**
     * System property that, set to {@code true}, keeps producers from taking the bias: every claim takes a
     * compare-and-set on the tail, as every commit does on the record header (for measuring the bias).
     */
    public static final String BIAS_DISABLED_PROP_NAME = "conduit.ring.mpsc.bias.disabled";
    static final boolean BIAS_DISABLED = Boolean.getBoolean(BIAS_DISABLED_PROP_NAME);

    private final int cleanGranule;
    // claims of this object refused because a bias holder stayed inside its claim section past the patience; plain
    // increments, so a hint for the thread that was refused (Channel's send), not a count of all threads' refusals
    private long holderRefusals;
    /** Revokers run a membarrier (false only in tests, to take the path of a process that cannot). */
    boolean revokerFences = AsymmetricFence.isAvailable();
    /** This object may take the bias (false where disabled by property, or in tests that stage the shared path). */
    boolean biasAllowed = !BIAS_DISABLED;
    /**
     * Run by the consumer's thread each time its attach, refused by the position check, tried to revoke a bias holder
     * and found it still inside its claim section, before it pauses and tries again: a no-op but in tests, which set
     * it before the attach to act at that point.
     */
    Runnable attachWaitHook = NO_HOOK;
    /**
     * Wrap a mapped MPSC ring. Use {@link io.conduit.file.ChannelFile#ring()} rather than this.
     *
     * @param header the channel file header.
     * @param buffer the ring region.
     * @param maxMessageLength longest body.
     * @param stuckClaimTimeoutNs time after which a live producer's uncommitted claim is skipped.
     * @param fileName file name for messages.
     */
    public MpscRing(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
        cleanGranule = Math.min(MAX_CLEAN_GRANULE, capacity >> 3);
        lastReclaimNs = System.nanoTime() - RECLAIM_INTERVAL_NS;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public RingKind kind()
    {
        return RingKind.MPSC;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int tryClaim(final int typeId, final int length)
    {
        final int offset = claim(typeId, length);
        return HOLDER_REFUSED == offset ? INSUFFICIENT_CAPACITY : offset;
    }

    /**
     * {@link #offer}, telling a bias holder's refusal from a lack of space: {@link io.conduit.Channel}'s send sleeps
     * differently for each (docs/LAYOUT.md, "MPSC bias").
     *
     * @param typeId type id of the message, {@code >= 1}.
     * @param source buffer holding the body.
     * @param offset offset of the body in {@code source}.
     * @param length length of the body, {@code 0 <= length <= maxMessageLength()}.
     * @return {@link #OFFERED}, {@link #INSUFFICIENT_CAPACITY} if there was no space, or {@link #HOLDER_REFUSED} if a
     * producer holding the bias did not let it go within {@link #REVOKE_PATIENCE_NS}.
     * @throws IllegalArgumentException  as {@link #offer}.
     * @throws IndexOutOfBoundsException as {@link #offer}.
     */
    public int offerStatus(final int typeId, final DirectBuffer source, final int offset, final int length)
    {
        final int claimOffset = claim(typeId, length);
        if (claimOffset < 0)
        {
            return claimOffset;
        }
        copyAndCommit(claimOffset, source, offset, length);
        return OFFERED;
    }

    /**
     * {@link #tryClaim}, but {@link #HOLDER_REFUSED} where a bias holder refused.
     */
    private int claim(final int typeId, final int length)
    {
        checkClaimArguments(typeId, length);
        if (!producerAttached)
        {
            attachProducer();
        }
        if (biased && Thread.currentThread() == ownerThread)
        {
            final int offset = tryClaimBiased(typeId, length);
            if (NOT_BIASED != offset)
            {
                return offset;
            }
        }
        else if (biasTag > 0 && Thread.currentThread() == ownerThread && --grantCountdown < 0)
        {
            grantCountdown = GRANT_INTERVAL;
            if (tryTakeBias())
            {
                final int offset = tryClaimBiased(typeId, length);
                if (NOT_BIASED != offset)
                {
                    return offset;
                }
            }
        }
        return tryClaimShared(typeId, length);
    }

    /**
     * @return claims of this object refused by a bias holder it could not revoke within {@link #REVOKE_PATIENCE_NS}
     * (one inside its claim section, or, for a revoker without membarrier, one that has not acknowledged yet; each
     * counted in back-pressure events too): a diagnostic, not exact with several threads sending through this object
     * (a plain count). A caller that must know why its own offer was refused uses {@link #offerStatus}.
     */
    public long holderRefusals()
    {
        return holderRefusals;
    }

    /**
     * Claim as the holder of the bias, with plain stores: inside a bias section, and only if the tail word is still
     * this object's own (the tail it stored, tagged with its slot).
     *
     * @return as {@link #tryClaim}, or {@link #NOT_BIASED} if the bias was revoked (the caller claims shared).
     */
    private int tryClaimBiased(final int typeId, final int length)
    {
        final RingMemory headerMemory = this.headerMemory;
        final int sectionOffset = slotOffset + SLOT_BIAS_SECTION_OFFSET;
        final long tail = producerTail;
        headerMemory.putLongRelease(sectionOffset, SECTION_CLAIM);
        // the light side of an asymmetric fence: a revoker's membarrier orders the store above before this load on
        // the CPU; the compiler keeps them in order because both are ordered Unsafe accesses to memory it cannot
        // tell apart (HotSpot fences those in its IR), the assumption AsymmetricFence's futex wake-up makes too
        if (headerMemory.getLongVolatile(TAIL_POSITION_OFFSET) != (tail | biasTag))
        {
            headerMemory.putLongRelease(sectionOffset, SECTION_UNBIASED);
            biased = false;
            return NOT_BIASED;
        }
        final int capacity = this.capacity;
        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = alignedLength(frameLength);
        final int offset = (int)tail & mask;
        final int toEnd = capacity - offset;
        final int padding = alignedLength > toEnd ? toEnd : 0;
        final int claimLength = padding + alignedLength;
        final long end = tail + claimLength;
        // the header slot at end must stay zero too, or a reader could run on into consumed bytes
        if (end + HEADER_LENGTH - headCache > capacity)
        {
            // acquire: pairs with the clean release in the consumer; header slots below clean + capacity are zero.
            // The tail is this object's alone while biased, so clean read now can only be behind it
            final long clean = headerMemory.getLongVolatile(CLEAN_POSITION_OFFSET);
            if (!isCleanSound(clean, tail))
            {
                headerMemory.putLongRelease(sectionOffset, 0L);
                checkClean(clean, tail);
            }
            headCache = clean;
            if (end + HEADER_LENGTH - clean > capacity)
            {
                headerMemory.putLongRelease(sectionOffset, 0L);
                headerMemory.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
                return INSUFFICIENT_CAPACITY;
            }
        }
        // slot claim, mark, tail, then any padding: the mark goes out first (a fifth faster than the tail first,
        // measured), and a holder killed before its tail store leaves its slot claim starting at the tail, which a
        // revoker finding it dead moves the tail past (claimedPast) before untagging
        headerMemory.putLongRelease(slotOffset + SLOT_CLAIM_OFFSET, slotClaim(tail, claimLength));
        final int recordOffset = 0 == padding ? offset : 0;
        final long mark = makeHeader(-frameLength, typeId);
        // release: publishes the slot's claim record before the mark; pairs with the header acquire in read
        ringMemory.putLongRelease(recordOffset, mark);
        producerTail = end;
        headerMemory.putLongRelease(TAIL_POSITION_OFFSET, end | biasTag);
        if (0 != padding)
        {
            // release: after the tail that covers it. Published before, the padding could be passed by a consumer
            // while the tail, if the holder died in between, stayed short of it: a head past the tail (MpscKillTest).
            // A holder killed before this store leaves the line to its slot's claim, which the consumer pads itself
            ringMemory.putLongRelease(offset, makeHeader(padding, PADDING_TYPE_ID));
        }
        headerMemory.putLongRelease(sectionOffset, 0L);
        pendingOffset = recordOffset;
        pendingMark = mark;
        pendingPeriod = biasPeriod;
        VarHandle.storeStoreFence(); // body stores stay after the mark, so a scan past a dead claim finds headers
        return recordOffset + HEADER_LENGTH;
    }

    /**
     * Claim with a compare-and-set on the tail, revoking another producer's bias first.
     */
    private int tryClaimShared(final int typeId, final int length)
    {
        final RingMemory headerMemory = this.headerMemory;
        final int capacity = this.capacity;
        final int frameLength = length + HEADER_LENGTH;
        final int alignedLength = alignedLength(frameLength);
        long tail;
        int padding;
        while (true)
        {
            // the shared cache is a hint any process may have written: trusted no further than the clean position
            // this object has loaded and checked itself, so a scribbled cache never lets a claim reach unread records
            final long sharedClean = headerMemory.getLongVolatile(HEAD_CACHE_POSITION_OFFSET);
            final long cleanCache = Math.min(sharedClean, checkedClean);
            tail = headerMemory.getLongVolatile(TAIL_POSITION_OFFSET);
            if (tail >= 0 && 0 != (tail & TAIL_TAG_MASK))
            {
                // a producer holds the bias, or it is being revoked: claims with a compare-and-set wait for that
                if (!revokeBias(true))
                {
                    holderRefusals++;
                    headerMemory.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
                    return HOLDER_REFUSED;
                }
                continue;
            }
            if (tail < 0)
            {
                // the tag check above leaves a line start (the tag bits are the line's low bits);
                // a negative tail is scribbled
                throw corrupt("tailPosition", ">= 0", tail, tail);
            }
            final int toEnd = capacity - ((int)tail & mask);
            padding = alignedLength > toEnd ? toEnd : 0;
            final long end = tail + padding + alignedLength;
            // the header slot at end must stay zero too, or a reader could run on into consumed bytes
            final long limit = end + HEADER_LENGTH;
            if (limit - cleanCache > capacity || cleanCache > tail)
            {
                // acquire: pairs with the clean release in the consumer; header slots below clean + capacity are zero.
                // A pair of positions that held together at one instant: clean the same before and after the tail.
                // Read once each, the consumer could clean, and other producers claim, between the two loads, and a
                // sound pair would look like a tail more than a capacity past clean (or clean past the tail).
                long clean = headerMemory.getLongVolatile(CLEAN_POSITION_OFFSET);
                long tailNow;
                while (true)
                {
                    tailNow = headerMemory.getLongVolatile(TAIL_POSITION_OFFSET);
                    final long cleanAfter = headerMemory.getLongVolatile(CLEAN_POSITION_OFFSET);
                    if (cleanAfter == clean)
                    {
                        break;
                    }
                    clean = cleanAfter;
                }
                if (tailNow != tail)
                {
                    continue; // another claim, or a bias taken, since: look again
                }
                checkClean(clean, tailNow);
                if (clean > checkedClean)
                {
                    // a clean position past the head would let claims reach unread records: the consumer cleans only
                    // behind the head it has stored, and both only move on, so a head loaded after clean is not behind
                    // it. Loaded once per new clean position, off the claim's fast path
                    final long head = headerMemory.getLongVolatile(HEAD_POSITION_OFFSET);
                    if (clean > head)
                    {
                        throw corrupt("cleanPosition", "at most headPosition=" + head, clean, tailNow);
                    }
                    checkedClean = clean; // clean only moves on
                }
                if (limit - clean > capacity)
                {
                    headerMemory.getAndAddLong(BACK_PRESSURE_EVENTS_OFFSET, 1);
                    return INSUFFICIENT_CAPACITY;
                }
                if (clean > sharedClean)
                {
                    headerMemory.compareAndSetLong(HEAD_CACHE_POSITION_OFFSET, sharedClean, clean);
                }
            }
            if (headerMemory.compareAndSetLong(TAIL_POSITION_OFFSET, tail, end))
            {
                break;
            }
        }

        final int slotOffset = this.slotOffset;
        if (slotOffset >= 0)
        {
            // position and length in one store, whichever thread claims: killed or interleaved with another thread,
            // the slot holds one whole claim of this object, never one claim's position with another's length
            headerMemory.putLongRelease(slotOffset + SLOT_CLAIM_OFFSET, slotClaim(tail, padding + alignedLength));
        }
        final int offset = (int)tail & mask;
        final int recordOffset = 0 == padding ? offset : 0;
        final long mark = makeHeader(-frameLength, typeId);
        // release: publishes the slot's claim record before the mark; pairs with the header acquire in read
        ringMemory.putLongRelease(recordOffset, mark);
        if (0 != padding)
        {
            ringMemory.putLongRelease(offset, makeHeader(padding, PADDING_TYPE_ID));
        }
        if (Thread.currentThread() == ownerThread)
        {
            pendingOffset = recordOffset;
            pendingMark = mark;
            pendingPeriod = 0; // not made under a bias: committed with a compare-and-set, whatever comes meanwhile
        }
        else
        {
            if (!siblingClaimed)
            {
                siblingClaimed = true; // keeps the owner from taking the bias only for this thread to revoke it again
            }
        }
        VarHandle.storeStoreFence(); // body stores stay after the mark, so a scan past a dead claim finds headers
        return recordOffset + HEADER_LENGTH;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if the consumer skipped this claim after the stuck claim timeout.
     */
    @Override
    public void commit(final int offset)
    {
        final int recordOffset = offset - HEADER_LENGTH;
        final boolean owner = Thread.currentThread() == ownerThread;
        final long period = owner && recordOffset == pendingOffset ? pendingPeriod : 0;
        final long claim = claimHeader(offset, owner);
        if (!publish(recordOffset, claim, makeHeader(-frameLength(claim), typeId(claim)), period))
        {
            throw new IllegalStateException("claim at offset=" + recordOffset +
                " was skipped by the consumer after the stuck claim timeout; the message was not delivered, file=" +
                fileName);
        }
        countSent(owner);
        signalConsumer();
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public void abort(final int offset)
    {
        final int recordOffset = offset - HEADER_LENGTH;
        final boolean owner = Thread.currentThread() == ownerThread;
        final long period = owner && recordOffset == pendingOffset ? pendingPeriod : 0;
        final long claim = claimHeader(offset, owner);
        publish(recordOffset, claim, makeHeader(-frameLength(claim), PADDING_TYPE_ID), period);
        signalConsumer();
    }

    /**
     * The mark of a claim being committed or aborted: the owner thread's latest claim from memory, without loading
     * the line the consumer polls; any other from the ring, checked.
     *
     * @param owner whether the calling thread is the owner thread.
     */
    private long claimHeader(final int offset, final boolean owner)
    {
        final int recordOffset = offset - HEADER_LENGTH;
        if (recordOffset == pendingOffset && recordOffset >= 0)
        {
            // another thread committing the owner's claim, handed to it, clears it too: the owner must not take its
            // mark for a later claim at the same offset. A racy write, but only ever to -1 (the checked path)
            pendingOffset = -1;
            if (owner)
            {
                return pendingMark;
            }
        }
        return checkedClaimHeader(offset);
    }

    /**
     * Replace a claim's mark: with a plain store if this thread holds the bias and made the claim under it (no
     * skip can race it then: the consumer revokes the bias, and waits for every commit section, before skipping a
     * live producer's claim), else with a compare-and-set against the consumer's skip.
     *
     * @param period the bias period the claim was made in, or 0: only the owner thread's latest claim has one.
     * @return false if the consumer had skipped the claim.
     */
    private boolean publish(final int recordOffset, final long mark, final long header, final long period)
    {
        if (0 != period && period == biasPeriod && biased)
        {
            final RingMemory headerMemory = this.headerMemory;
            final int sectionOffset = slotOffset + SLOT_BIAS_SECTION_OFFSET;
            headerMemory.putLongRelease(sectionOffset, SECTION_COMMIT);
            // the light side of an asymmetric fence, as in tryClaimBiased
            if (headerMemory.getLongVolatile(TAIL_POSITION_OFFSET) == (producerTail | biasTag))
            {
                // release: publishes the body; pairs with the header acquire in read
                ringMemory.putLongRelease(recordOffset, header);
                headerMemory.putLongRelease(sectionOffset, 0L);
                return true;
            }
            headerMemory.putLongRelease(sectionOffset, SECTION_UNBIASED);
            biased = false;
        }
        // release (and full fence): publishes the body; pairs with the header acquire in read
        return ringMemory.compareAndSetLong(recordOffset, mark, header);
    }

    /**
     * Take the bias if this object's slot is the only one held, no other thread claimed through this object since the
     * last look, and no producer holds it: from then on, until a
     * producer revokes it, the owner thread claims and commits with plain stores. The compare-and-set that tags the
     * tail fails any claim another producer was about to make from the untagged tail.
     *
     * @return true if taken.
     */
    boolean tryTakeBias()
    {
        if (siblingClaimed)
        {
            siblingClaimed = false; // other threads sent through this object since the last look: not alone
            return false;
        }
        final int slotOffset = this.slotOffset;
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            final int slot = producerSlotOffset(i);
            if (slot != slotOffset && 0 != header.getLongVolatile(slot + SLOT_PID_OFFSET))
            {
                return false;
            }
        }
        // before the tag: a revoker that cannot run a membarrier waits for this word to say the bias was seen gone,
        // and must not take an acknowledgement of an earlier revocation for one of this bias
        header.putLongRelease(slotOffset + SLOT_BIAS_SECTION_OFFSET, 0L);
        final long tail = header.getLongVolatile(TAIL_POSITION_OFFSET);
        final long clean = header.getLongVolatile(CLEAN_POSITION_OFFSET);
        final long revoked = header.getLongVolatile(BIAS_REVOKED_TAIL_OFFSET);
        if (tail < 0 || 0 != (tail & TAIL_TAG_MASK) || !isCleanSound(clean, tail) ||
            clean > header.getLongVolatile(HEAD_POSITION_OFFSET) || // a shared claim then names what is wrong
            (0 != revoked && tail == (revoked & ~TAIL_TAG_MASK)) || // not where one was revoked
            !header.compareAndSetLong(TAIL_POSITION_OFFSET, tail, tail | biasTag))
        {
            // not taken: say so again, or a revoker without membarrier would wait on this slot for good
            header.putLongRelease(slotOffset + SLOT_BIAS_SECTION_OFFSET, SECTION_UNBIASED);
            return false;
        }
        producerTail = tail;
        headCache = clean;
        biasPeriod++;
        biased = true;
        return true;
    }

    /**
     * Revoke the bias the tail word names, if any: tag it as revoking, have every CPU running a registered process
     * fence ({@link AsymmetricFence#heavy()}), wait until the holder is outside its claim section (or dead), note the
     * position, then untag it. A holder that loaded its tail before the revoking tag was stored, and stored a claim
     * after, put its own tag back: the loop goes round. Any producer, and the consumer, may finish a revocation
     * another began. A producer's revocation does not wait for the holder's commit sections (a commit stores no
     * tail): the consumer, before skipping a claim, waits for those itself ({@link #mayOutwaitClaimer()}).
     *
     * @param patient wait for a holder inside its section up to {@link #REVOKE_PATIENCE_NS}, rather than a few spins.
     * @return true if the tail is untagged now; false if the holder stayed inside its section (it runs a few
     * instructions there: it is descheduled or stopped), so try again later.
     */
    boolean revokeBias(final boolean patient)
    {
        while (true)
        {
            final long word = header.getLongVolatile(TAIL_POSITION_OFFSET);
            final int tag = (int)(word & TAIL_TAG_MASK);
            if (0 == tag)
            {
                return true;
            }
            final long position = word - tag;
            if (BIASED_TAG_LIMIT == tag || word < 0)
            {
                throw corruptTag(tag, position);
            }
            if (tag < BIASED_TAG_LIMIT)
            {
                header.compareAndSetLong(TAIL_POSITION_OFFSET, word, word + REVOKING_TAG_STEP);
                continue;
            }
            AsymmetricFence.heavy();
            final int slot = producerSlotOffset(tag - REVOKING_TAG_STEP - 1);
            final int holder = awaitSectionEnd(slot, patient, false);
            if (HOLDER_INSIDE == holder)
            {
                return false;
            }
            final long untagged = HOLDER_DEAD == holder ? claimedPast(slot, position) : position;
            noteRevoked(word);
            if (header.compareAndSetLong(TAIL_POSITION_OFFSET, word, untagged))
            {
                return true;
            }
        }
    }

    /**
     * The tail to untag at when the holder is dead: past a claim it recorded in its slot, starting at the tail, but
     * died before storing the tail for (its mark may be written too, and, by a holder of an earlier build, its wrap
     * padding); else the tail as it is.
     *
     * @param slot the dead holder's slot offset.
     * @param position the tail position.
     * @return the position to untag at.
     */
    private long claimedPast(final int slot, final long position)
    {
        final long claim = header.getLongVolatile(slot + SLOT_CLAIM_OFFSET);
        final long length = slotClaimLength(claim);
        final long clean = header.getLongVolatile(CLEAN_POSITION_OFFSET);
        // clean is behind the tail, but for one case: a holder of an earlier build of layout version 5 stored a
        // wrapping claim's padding before its tail, and killed in between left padding that a consumer may have read
        // and cleaned. That consumer's head stopped at the claim's record, at offset 0, and its clean position, one
        // store at the padding's end, is exactly there: the ring's end, no further than the head. Any other clean
        // position past the tail is no consumer's, and leaves the tail where it is for the claim checks to refuse
        final long toEnd = capacity - ((int)position & mask);
        final boolean cleanConsistent = clean <= position || (length > toEnd && clean == position + toEnd &&
            clean <= header.getLongVolatile(HEAD_POSITION_OFFSET));
        // the holder checked the space before claiming it, against a clean position at most the tail; a claim word
        // that fails the same check is not one
        if (0 != claim && 0 == slotClaimDistance(claim, position) && length >= ALIGNMENT &&
            position + length + HEADER_LENGTH - Math.min(clean, position) <= capacity && cleanConsistent)
        {
            return position + length;
        }
        return position;
    }

    /**
     * Before an untag: from now on no bias is taken at this position, so this revoking word never repeats. Only ever
     * raised: a revoker delayed here must not bring back an earlier position, at which a bias could then be taken,
     * and revoked, again.
     */
    private void noteRevoked(final long word)
    {
        final long position = word & ~TAIL_TAG_MASK;
        long noted;
        while (((noted = header.getLongVolatile(BIAS_REVOKED_TAIL_OFFSET)) & ~TAIL_TAG_MASK) < position &&
            !header.compareAndSetLong(BIAS_REVOKED_TAIL_OFFSET, noted, word))
        {
            Thread.onSpinWait();
        }
    }

    /**
     * Wait for a bias holder to be outside its claim section (and, for the consumer, its commit section): after a
     * membarrier, a section word outside those means any section the holder enters from now on sees the tail as
     * it is now. Without a membarrier here (a process whose seccomp profile refuses it, or without JNA), only the
     * holder's acknowledgement, stored when one of its sections found its bias gone, says so: such a revoker waits
     * for the holder's next claim or commit, or for its close, which finishes the revocation itself.
     *
     * @param slot the holder's slot offset.
     * @param patient wait up to {@link #REVOKE_PATIENCE_NS}, rather than a few spins.
     * @param commitsToo wait for a commit section too.
     * @return {@link #HOLDER_OUTSIDE}, {@link #HOLDER_DEAD}, or {@link #HOLDER_INSIDE} if it stayed inside.
     */
    private int awaitSectionEnd(final int slot, final boolean patient, final boolean commitsToo)
    {
        final int sectionOffset = slot + SLOT_BIAS_SECTION_OFFSET;
        for (int i = 0; i < SECTION_SPINS; i++)
        {
            if (isOutsideSection(header.getLongVolatile(sectionOffset), commitsToo))
            {
                return HOLDER_OUTSIDE;
            }
            Thread.onSpinWait();
        }
        if (!ProcessIdentity.isAlive(header.getLongVolatile(slot + SLOT_PID_OFFSET)))
        {
            return HOLDER_DEAD; // a dead holder stores nothing more; a free slot's holder closed, revoking first
        }
        final long deadlineNs = patient ? System.nanoTime() + REVOKE_PATIENCE_NS : 0;
        while (patient && System.nanoTime() - deadlineNs < 0)
        {
            Thread.yield();
            if (isOutsideSection(header.getLongVolatile(sectionOffset), commitsToo))
            {
                return HOLDER_OUTSIDE;
            }
        }
        return HOLDER_INSIDE;
    }

    private boolean isOutsideSection(final long section, final boolean commitsToo)
    {
        if (!revokerFences)
        {
            return SECTION_UNBIASED == section;
        }
        return SECTION_CLAIM != section && (!commitsToo || SECTION_COMMIT != section);
    }

    /**
     * Before the consumer skips a live producer's claim for its age: revoke any bias, then, after a membarrier, find
     * every holder outside its claim and commit sections. A commit that passed its check under a bias revoked since
     * may still be storing; one that starts after sees its bias gone, or a later bias under which the claim was not
     * made, and uses a compare-and-set.
     */
    @Override
    boolean mayOutwaitClaimer()
    {
        if (!revokeBias(false))
        {
            return false;
        }
        AsymmetricFence.heavy();
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            final int slot = producerSlotOffset(i);
            if (0 != header.getLongVolatile(slot + SLOT_PID_OFFSET) &&
                HOLDER_INSIDE == awaitSectionEnd(slot, false, true))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    long loadTail()
    {
        final long word = header.getLongVolatile(TAIL_POSITION_OFFSET);
        if (BIASED_TAG_LIMIT == (word & TAIL_TAG_MASK))
        {
            throw corruptTag(BIASED_TAG_LIMIT, word - BIASED_TAG_LIMIT);
        }
        return word & ~TAIL_TAG_MASK;
    }

    private CorruptChannelException corruptTag(final int tag, final long position)
    {
        return corrupt("tailPosition bias tag", "0, 1.." + (BIASED_TAG_LIMIT - 1) + " or " + (BIASED_TAG_LIMIT + 1) +
            ".." + TAIL_TAG_MASK, tag, position);
    }

    /**
     * Count a commit in this process's slot: with plain stores from the thread that registered the slot, atomically
     * from any other (or in the shared counter without a slot).
     */
    private void countSent(final boolean owner)
    {
        final RingMemory headerMemory = this.headerMemory;
        final int slotOffset = this.slotOffset;
        if (slotOffset < 0)
        {
            headerMemory.getAndAddLong(MESSAGES_SENT_OFFSET, 1);
        }
        else if (owner)
        {
            final int counterOffset = slotOffset + SLOT_OWNER_MESSAGES_SENT_OFFSET;
            headerMemory.putLongRelease(counterOffset, headerMemory.getLong(counterOffset) + 1);
        }
        else
        {
            headerMemory.getAndAddLong(slotOffset + SLOT_MESSAGES_SENT_OFFSET, 1);
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long freedPosition()
    {
        return header.getLongVolatile(CLEAN_POSITION_OFFSET);
    }

    /**
     * @return messages sent by all producers: the shared counter plus every slot's.
     */
    public long messagesSent()
    {
        long sum = header.getLongVolatile(MESSAGES_SENT_OFFSET);
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            sum += header.getLongVolatile(producerSlotOffset(i) + SLOT_MESSAGES_SENT_OFFSET) +
                header.getLongVolatile(producerSlotOffset(i) + SLOT_OWNER_MESSAGES_SENT_OFFSET);
        }
        return sum;
    }

    @Override
    void onHeadStored(final long position)
    {
        cleanBehind(position);
        if (position - sweptPosition >= CLAIM_SWEEP_INTERVAL)
        {
            sweepClaims(position);
        }
    }

    /**
     * Clear every producer slot's claim word whose claim lies wholly behind the head: consumed, it says nothing any
     * more, and left there it would come to cover positions again once the consumer is 2^44 bytes on (the word keeps
     * positions modulo that), where a dead producer's stale claim would be taken for a live claim at the head. Run
     * at attach and every {@link #CLAIM_SWEEP_INTERVAL} bytes, so no claim word is ever read further than that plus a
     * capacity from its claim. A compare-and-set: a producer's new claim stored meanwhile stays.
     *
     * @param head the head just stored.
     */
    void sweepClaims(final long head)
    {
        sweptPosition = head;
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            final int slot = producerSlotOffset(i);
            final long claim = header.getLongVolatile(slot + SLOT_CLAIM_OFFSET);
            if (0 != claim && isClaimConsumed(claim, head))
            {
                header.compareAndSetLong(slot + SLOT_CLAIM_OFFSET, claim, 0L);
            }
        }
    }

    @Override
    void onIdle(final long position)
    {
        cleanBehind(position);
        if (0 == (++idlePolls & STUCK_CHECK_MASK) &&
            0 == buffer.getLongVolatile((int)position & mask) &&
            loadTail() > position)
        {
            skipUnmarkedClaim(position);
        }
    }

    @Override
    boolean isClaimerDead(final long position)
    {
        return deadClaimLength(position) > 0;
    }

    /**
     * The holder stayed inside its claim section past the revocation's patience (stopped, or descheduled), its tag
     * still on the tail. The consumer attaches all the same, so that it reads what is committed; but if the holder is
     * of an earlier build, which stored its wrap padding before its tail (this one stores the tail first), and stopped
     * between the two, a predecessor may have passed that padding, and the head then lies past the tail: a sound file
     * that the position check refuses. Only then is the holder waited for, up to
     * {@link #ATTACH_REVOKE_PATIENCE_NS}, and the check made again.
     */
    private void attachWhileAHolderIsInside()
    {
        try
        {
            super.attachConsumer();
        }
        catch (final CorruptChannelException ex)
        {
            final long deadlineNs = System.nanoTime() + ATTACH_REVOKE_PATIENCE_NS;
            while (!revokeBias(true))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    ex.addSuppressed(new IllegalStateException("a producer holding the MPSC bias stayed inside its " +
                        "claim section for " + TimeUnit.NANOSECONDS.toMillis(ATTACH_REVOKE_PATIENCE_NS) +
                        " ms (stopped?), its claim maybe past the tail: try again once it runs"));
                    throw ex;
                }
                attachWaitHook.run();
                LockSupport.parkNanos(ATTACH_REVOKE_PAUSE_NS); // each try fences every CPU: not back to back
            }
            super.attachConsumer();
        }
    }

    @Override
    void attachConsumer()
    {
        // a holder of an earlier build between its wrap padding and its tail store, or a holder dead inside its
        // claim section, shows a tail short of what a consumer may already have passed: revoking first waits for
        // it, or moves the tail past the dead holder's claim
        if (revokeBias(true))
        {
            super.attachConsumer();
        }
        else
        {
            attachWhileAHolderIsInside();
        }
        final long clean = header.getLongVolatile(CLEAN_POSITION_OFFSET);
        // against the tail too: producers never claim beyond clean + capacity, so a clean further behind the tail is
        // corrupt, and cleaning up to the head from it would zero unread records and live claims
        final long tail = loadTail();
        if (clean > head || head - clean > capacity || 0 != (clean & (ALIGNMENT - 1)) || tail - clean > capacity)
        {
            consumerAttached = false; // refuse every read, not just the first, rather than clean from a bad position
            releaseConsumer(); // and hold no role
            throw corrupt("cleanPosition", "in [headPosition - capacity, headPosition], at least tailPosition=" +
                tail + " - capacity, and " + ALIGNMENT + "-byte aligned", clean, head);
        }
        cleanPosition = clean;
        clean(head); // a predecessor may have died between storing the head and cleaning behind it
        sweepClaims(head);
        reclaimDeadSleepers();
    }

    @Override
    void releaseProducer()
    {
        final int slotOffset = this.slotOffset;
        if (slotOffset >= 0)
        {
            // a slot freed with its tag on the tail could be taken, and the tag then read as the new owner's bias
            final long tag = header.getLongVolatile(TAIL_POSITION_OFFSET) & TAIL_TAG_MASK;
            if (biasTag > 0 && (tag == biasTag || tag == biasTag + REVOKING_TAG_STEP))
            {
                biased = false;
                if (!revokeBias(true))
                {
                    return; // another thread of this object is inside a section (a close while sending): keep the slot
                }
            }
            releaseRole(slotOffset + SLOT_PID_OFFSET);
        }
    }

    /**
     * A claim at the head whose header is still 0 although the tail is past it: its producer died (or stalls)
     * between winning the tail and writing the mark. Skip it once its claimer is known dead or the timeout passes.
     *
     * @param position head position.
     * @return bytes turned into padding, or 0.
     */
    private int skipUnmarkedClaim(final long position)
    {
        // as every read path: a tail more than a capacity ahead was never stored by a producer, which claims no
        // further than the clean position, never past the head, plus a capacity; skipped, it would carry the head past
        // the records producers are writing
        checkPositions(position, loadTail());
        if (!isUnmarkedClaimStuck(position))
        {
            return 0;
        }
        final int offset = (int)position & mask;
        final int toEnd = capacity - offset;
        int length = deadClaimLength(position);
        if (0 == length)
        {
            if (System.nanoTime() - stuckSinceNs < stuckClaimTimeoutNs || !mayOutwaitClaimer())
            {
                return 0;
            }
            length = scanToNextHeader(position, offset, toEnd);
        }
        if (length <= 0)
        {
            return 0;
        }
        // a dead claim that runs past the ring's end is wrap padding up to it, then its record at the start, which
        // is skipped and counted when the consumer gets there: one message, counted once
        return skip(position, offset, 0L, Math.min(length, toEnd), length <= toEnd);
    }

    /**
     * @param position a stuck position.
     * @return bytes from {@code position} to the end of a dead producer's claim covering it, or 0 if none.
     */
    private int deadClaimLength(final long position)
    {
        final long tail = loadTail();
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            final int slot = producerSlotOffset(i);
            final long slotPid = header.getLongVolatile(slot + SLOT_PID_OFFSET);
            if (0 != slotPid)
            {
                // one word, whole (acquire: pairs with the release in tryClaim), then the pid again
                final long claim = header.getLongVolatile(slot + SLOT_CLAIM_OFFSET);
                final long claimLength = slotClaimLength(claim);
                final long into = slotClaimDistance(claim, position); // position - the claim's position
                if (into >= 0 && into < claimLength && claimLength <= 2L * capacity &&
                    slotPid == header.getLongVolatile(slot + SLOT_PID_OFFSET) && // not a new owner's claim
                    !ProcessIdentity.isAlive(slotPid))
                {
                    // never past the tail: no claim, dead or alive, reaches beyond it
                    return (int)Math.max(0, Math.min(position - into + claimLength, tail) - position);
                }
            }
        }
        return 0;
    }

    /**
     * Find the next non-zero header after an unmarked claim. The header slots of lines a dead claimer never
     * wrote are still zero (a claimer writes its mark before any body byte).
     *
     * @return bytes to the next header, or 0 if none is written yet.
     */
    private int scanToNextHeader(final long position, final int offset, final int toEnd)
    {
        final long tail = loadTail();
        final long available = tail - position; // read again, not the caller's: a long first, then cut to an int
        if (available <= 0)
        {
            return 0; // a tail scribbled down since: an int cut of it could send the scan 2 GiB past the ring
        }
        final int limit = (int)Math.min(toEnd, available);
        int found = firstWrittenLine(offset, ALIGNMENT, limit);
        if (found < 0)
        {
            return limit == toEnd ? toEnd : 0;
        }
        // A later claim's body may have been seen while its mark, on an earlier line and written before that body,
        // was read as 0 a moment before: read the lines before the one found again, until none of them is written.
        int earlier;
        while ((earlier = firstWrittenLine(offset, ALIGNMENT, found)) >= 0)
        {
            found = earlier;
        }
        return found;
    }

    /**
     * @return the distance from {@code offset} of the first line in [from, to) whose header slot is not 0, or -1.
     */
    private int firstWrittenLine(final int offset, final int from, final int to)
    {
        for (int distance = from; distance < to; distance += ALIGNMENT)
        {
            if (0 != buffer.getLongVolatile(offset + distance))
            {
                return distance;
            }
        }
        return -1;
    }

    /**
     * Clean whole granules behind the head, never the granule the head is in: the producers are writing there, and
     * zeroing its lines would steal them from the producers at every batch.
     */
    private void cleanBehind(final long position)
    {
        final int granule = cleanGranule;
        final long target = position & -granule;
        if (target - cleanPosition >= granule)
        {
            clean(target);
        }
    }

    /**
     * Clear the header slot of every consumed line in [cleanPosition, position) and move the clean position. Records
     * start on lines and a reader reads nothing of a record but its header and body, so a line's first 8 bytes are
     * all that must read 0 before a producer claims it: one plain store per line rather than zeroing every byte.
     */
    private void clean(final long position)
    {
        final long from = cleanPosition;
        if (position <= from)
        {
            return;
        }
        final RingMemory ringMemory = this.ringMemory;
        final int mask = this.mask;
        for (long line = from; line < position; line += ALIGNMENT)
        {
            ringMemory.putLong((int)line & mask, 0L);
        }
        cleanPosition = position;
        // release: publishes the zeros; pairs with the clean acquire in tryClaim
        headerMemory.putLongRelease(CLEAN_POSITION_OFFSET, position);
        final int woken = signalProducers();
        if (woken > 0)
        {
            emptySpaceWakes = 0;
        }
        else if (0 == woken && ++emptySpaceWakes >= EMPTY_SPACE_WAKES_LIMIT)
        {
            // sleepers announced, none woken, again and again: maybe a producer killed asleep left its count. On
            // the park/poll fallback no wake-up wakes anyone, hence the clock: at most one look a second
            emptySpaceWakes = 0;
            final long nowNs = System.nanoTime();
            if (nowNs - lastReclaimNs >= RECLAIM_INTERVAL_NS)
            {
                lastReclaimNs = nowNs;
                reclaimDeadSleepers();
            }
        }
    }

    /**
     * Take the space sleepers of dead processes out of the shared space waiters count, which they would otherwise
     * keep above 0 for good: every freed batch would pay a wake-up call for nobody. A dead process's slot is held
     * (its pid replaced by this one's, so no producer takes it meanwhile and sleeps there) while its count is taken,
     * then freed; only once its last claim is consumed, since until then the slot is how that claim is known dead.
     * Run by the consumer at attach and after {@link #EMPTY_SPACE_WAKES_LIMIT} space wake-ups in a row that woke
     * nobody, at most once per {@link #RECLAIM_INTERVAL_NS}. The liveness check, a system call, comes last.
     */
    void reclaimDeadSleepers()
    {
        for (int i = 0; i < MAX_PRODUCERS; i++)
        {
            final int slot = producerSlotOffset(i);
            final int sleepersOffset = slot + SLOT_SPACE_SLEEPERS_OFFSET;
            if (0 == header.getLongVolatile(sleepersOffset))
            {
                continue;
            }
            final long slotPid = header.getLongVolatile(slot + SLOT_PID_OFFSET);
            final long claim = header.getLongVolatile(slot + SLOT_CLAIM_OFFSET);
            if (0 != slotPid && slotPid != pid &&
                isClaimConsumed(claim, head) &&
                !ProcessIdentity.isAlive(slotPid) &&
                header.compareAndSetLong(slot + SLOT_PID_OFFSET, slotPid, pid))
            {
                takeSleepers(slot);
                header.compareAndSetLong(slot + SLOT_PID_OFFSET, pid, 0);
            }
        }
    }

    /**
     * Take a held slot's space sleepers out of the shared count: they are a dead process's. Never below 0: a process
     * killed between its slot count and the shared one (a few instructions either side of a sleep) counted itself in
     * the slot only, and a count taken below 0 would cost every freed batch a wake-up call for good, as the count
     * left behind does. (If that coincides with a live sleeper, the live one misses one wake-up and finds the space
     * at the end of its longest sleep.)
     */
    private void takeSleepers(final int slot)
    {
        // the shared count first, the slot's last: killed in between, the next taker subtracts again, which the
        // floor at 0 (here and in every sleeper's withdrawal) heals; the other way round would lose the count
        final long sleepers = header.getLongVolatile(slot + SLOT_SPACE_SLEEPERS_OFFSET);
        if (sleepers > 0)
        {
            FutexWaiter.withdraw(header, SPACE_WAITERS_OFFSET, (int)Math.min(sleepers, Integer.MAX_VALUE));
        }
        if (0 != sleepers)
        {
            header.putLongVolatile(slot + SLOT_SPACE_SLEEPERS_OFFSET, 0); // the slot is held: nobody else writes it
        }
    }

    /**
     * @return the offset in the header of this object's slot's space sleepers count, or -1 if it has no slot (it
     * has not sent yet, or all slots were taken).
     */
    public int spaceSleepersOffset()
    {
        final int slotOffset = this.slotOffset;
        return slotOffset < 0 ? -1 : slotOffset + SLOT_SPACE_SLEEPERS_OFFSET;
    }

    /**
     * @return true if {@code clean} is a line start at most a capacity behind {@code tail}, and not past it.
     */
    private boolean isCleanSound(final long clean, final long tail)
    {
        return clean <= tail && tail - clean <= capacity && 0 == (clean & (ALIGNMENT - 1));
    }

    private void checkClean(final long clean, final long tail)
    {
        if (!isCleanSound(clean, tail))
        {
            throw corrupt("cleanPosition", "in [tail - capacity, tail] and " + ALIGNMENT +
                "-byte aligned with tail=" + tail, clean, tail);
        }
    }

    /**
     * Register this ring object in a free producer slot, or one whose process is dead and whose last claim the
     * consumer has passed. Every object takes a slot of its own, even beside another of the same process: a slot
     * shared by two objects would be freed by the first to close while the other still records its claims there, so
     * another process could take it and, dying, get the live object's claim skipped as its own. Without a slot the
     * object still sends; its stuck claims are skipped by timeout only.
     */
    private synchronized void attachProducer()
    {
        if (producerAttached)
        {
            return;
        }
        final long head = header.getLongVolatile(HEAD_POSITION_OFFSET);
        for (int i = 0; i < MAX_PRODUCERS && slotOffset < 0; i++)
        {
            final int slot = producerSlotOffset(i);
            final long slotPid = header.getLongVolatile(slot + SLOT_PID_OFFSET);
            final long claim = header.getLongVolatile(slot + SLOT_CLAIM_OFFSET);
            final boolean free = 0 == slotPid || (slotPid != pid && !ProcessIdentity.isAlive(slotPid) &&
                isClaimConsumed(claim, head)); // last claim behind head
            if (free && header.compareAndSetLong(slot + SLOT_PID_OFFSET, slotPid, pid))
            {
                header.putLong(slot + SLOT_CLAIM_OFFSET, 0);
                takeSleepers(slot); // a dead predecessor killed asleep
                header.getAndAddLong(MESSAGES_SENT_OFFSET,
                    header.getLongVolatile(slot + SLOT_MESSAGES_SENT_OFFSET) +
                    header.getLongVolatile(slot + SLOT_OWNER_MESSAGES_SENT_OFFSET));
                header.putLongRelease(slot + SLOT_MESSAGES_SENT_OFFSET, 0);
                header.putLongRelease(slot + SLOT_OWNER_MESSAGES_SENT_OFFSET, 0);
                // this object registered the slot: the registering thread is the only writer of the owner's counter
                ownerThread = Thread.currentThread();
                slotOffset = slot;
                // a dead predecessor may have left 1 or 3; this object holds no bias yet, and says so to revokers
                header.putLongRelease(slot + SLOT_BIAS_SECTION_OFFSET, SECTION_UNBIASED);
                // the bias needs this process registered for the revokers' membarrier, and a slot a tag can name
                biasTag = biasAllowed && !fenceOnSignal && i < BIASED_TAG_LIMIT - 1 ? i + 1 : 0;
            }
        }
        header.putLongRelease(PRODUCER_HEARTBEAT_OFFSET, System.currentTimeMillis());
        noteWaker(DATA_DEAF_WAKERS_OFFSET, false);
        producerAttached = true;
    }
}
