package io.conduit.ring;

import io.conduit.ControlledMessageHandler;
import io.conduit.CorruptChannelException;
import io.conduit.MessageHandler;
import io.conduit.wait.Futex;
import io.conduit.wait.FutexWaker;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import static io.conduit.file.ChannelFileDescriptor.*;
import static io.conduit.ring.RecordDescriptor.*;

/**
 * The consumer side shared by {@link SpscRing} and {@link MpscRing}, and the checks both sides use.
 * <p>
 * Threading: one consumer thread per ring in one process at a time; it registers its pid in the header on its first
 * read and refuses to start while another live process holds the consumer role.
 * <p>
 * Memory ordering:
 * <ul>
 *     <li>header release in commit → header acquire in read: the body is visible before the length says so;</li>
 *     <li>head release after a batch → head acquire in a producer's capacity check: bytes below head are free;</li>
 *     <li>claim-skip compare-and-set in read ↔ commit in the producer: exactly one of them wins.</li>
 * </ul>
 */
public abstract class AbstractRing extends RingPad3 implements Ring
{
    /** Empty or stuck polls between two checks of a stuck claim's age and claimer. */
    static final int STUCK_CHECK_MASK = 1023;
    /**
     * System property that, set to {@code true}, stops commits from waking sleepers: for measuring what futex
     * support costs a sender (the perf module's SendCostBenchmark), never for production, where it would leave
     * futex sleepers asleep until their timeout.
     */
    public static final String SIGNAL_DISABLED_PROP_NAME = "conduit.ring.signal.disabled";
    static final boolean SIGNAL_DISABLED = Boolean.getBoolean(SIGNAL_DISABLED_PROP_NAME);

    AbstractRing(
        final AtomicBuffer header,
        final AtomicBuffer buffer,
        final int maxMessageLength,
        final long stuckClaimTimeoutNs,
        final String fileName)
    {
        super(header, buffer, maxMessageLength, stuckClaimTimeoutNs, fileName);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int capacity()
    {
        return capacity;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the channel file header, laid out as {@link io.conduit.file.ChannelFileDescriptor} describes.
     */
    public AtomicBuffer headerBuffer()
    {
        return header;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long tailPosition()
    {
        return loadTail();
    }

    /**
     * @return the tail position from the header (acquire): MPSC takes the bias tag off the tail word.
     */
    long loadTail()
    {
        return header.getLongVolatile(TAIL_POSITION_OFFSET);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public long headPosition()
    {
        return header.getLongVolatile(HEAD_POSITION_OFFSET);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int size()
    {
        long headBefore;
        long tail;
        long headAfter = header.getLongVolatile(HEAD_POSITION_OFFSET);
        do
        {
            headBefore = headAfter;
            tail = loadTail();
            headAfter = header.getLongVolatile(HEAD_POSITION_OFFSET);
        }
        while (headAfter != headBefore);
        return (int)Math.max(0, Math.min(capacity, tail - headAfter));
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public boolean offer(final int typeId, final DirectBuffer source, final int offset, final int length)
    {
        final int claimOffset = tryClaim(typeId, length);
        if (claimOffset < 0)
        {
            return false;
        }
        copyAndCommit(claimOffset, source, offset, length);
        return true;
    }

    /**
     * The rest of an offer once claimed: copy the body in and commit, or, if the copy throws (a source range outside
     * its buffer, a null source), give the claim back rather than leave the consumer waiting on it for the stuck claim
     * timeout, and rethrow; nothing is lost, since nothing was sent.
     */
    final void copyAndCommit(final int claimOffset, final DirectBuffer source, final int offset, final int length)
    {
        try
        {
            ringMemory.putBytes(claimOffset, source, offset, length);
        }
        catch (final Throwable ex)
        {
            try
            {
                abort(claimOffset);
            }
            catch (final Throwable abortEx)
            {
                // the consumer skipped the claim meanwhile (its timeout), or the mapping failed: the copy's
                // exception is the one to report
                ex.addSuppressed(abortEx);
            }
            throw ex;
        }
        commit(claimOffset);
    }

    /**
     * @return messages skipped because their claim was never committed, from the header.
     */
    public long recordsSkipped()
    {
        return header.getLongVolatile(RECORDS_SKIPPED_OFFSET);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int read(final MessageHandler handler, final int limit)
    {
        checkReadable(handler);
        if (!consumerAttached)
        {
            attachConsumer();
        }
        // the ring's fields (buffer, mask, capacity, the tail check) are read where used, not held in locals: a local
        // lives across the handler, which C2 inlines here, and a handler with a few values of its own (an SBE
        // dispatcher, a decoder) then pushed them to the stack, to be stored and loaded again each message
        // (perf/README.md, "The SBE path and the ring's read")
        final long head = this.head;
        long position = head;
        long bytes = 0;
        int count = 0;
        reading = true;
        try
        {
            while (count < limit)
            {
                if (position - head >= this.capacity)
                {
                    throw recordsAllRound(position, head);
                }
                final int offset = (int)position & this.mask;
                final long header = ringMemory.getLongVolatile(offset); // acquire: pairs with the release in commit
                final int frameLength = frameLength(header);
                if (frameLength <= 0)
                {
                    final int skipped = onNotCommitted(position, offset, header);
                    if (0 == skipped)
                    {
                        break;
                    }
                    position += skipped;
                    continue;
                }
                final int typeId = typeId(header);
                checkRecord(position, offset, frameLength, typeId);
                final long end = position + alignedLength(frameLength);
                if (PADDING_TYPE_ID == typeId)
                {
                    checkPaddingBelowTail(end, frameLength);
                }
                else if (end > tailCheckPosition)
                {
                    checkBelowTail(end, frameLength);
                }
                position = end;
                if (PADDING_TYPE_ID != typeId)
                {
                    ++count;
                    bytes += frameLength - HEADER_LENGTH;
                    handler.onMessage(typeId, this.buffer, offset + HEADER_LENGTH, frameLength - HEADER_LENGTH);
                }
            }
        }
        finally
        {
            reading = false;
            if (position != head)
            {
                storeHead(position, count, bytes);
            }
        }
        if (0 == count)
        {
            onIdle(position);
        }
        return count;
    }

    /**
     * Refuse a read that would lose or repeat messages: with no handler (the head would pass the message it was for),
     * or from inside a handler of this ring's own read (it would start from the head the running batch has not stored
     * yet, deliver that batch's messages again, and the running batch would then store its head behind the nested
     * one's: messages delivered twice, then lost). The read marks itself running just before its batch, and its
     * finally clears the mark.
     */
    private void checkReadable(final Object handler)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        if (reading)
        {
            throw new IllegalStateException("read called from inside a handler of this ring's own read, file=" +
                fileName + ": read again after the handler returns");
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public int controlledRead(final ControlledMessageHandler handler, final int limit)
    {
        checkReadable(handler);
        if (!consumerAttached)
        {
            attachConsumer();
        }
        long stored = this.head; // the ring's fields read where used, as in read
        long position = stored;
        long bytes = 0;
        int count = 0;
        int storedCount = 0;
        reading = true;
        try
        {
            while (count < limit)
            {
                if (position - stored >= this.capacity)
                {
                    // from the head as last stored: a COMMIT frees what the batch has read, so producers may
                    // write on past where the batch began
                    throw recordsAllRound(position, stored);
                }
                final int offset = (int)position & this.mask;
                final long header = ringMemory.getLongVolatile(offset); // acquire: pairs with the release in commit
                final int frameLength = frameLength(header);
                if (frameLength <= 0)
                {
                    final int skipped = onNotCommitted(position, offset, header);
                    if (0 == skipped)
                    {
                        break;
                    }
                    position += skipped;
                    continue;
                }
                final int typeId = typeId(header);
                checkRecord(position, offset, frameLength, typeId);
                if (PADDING_TYPE_ID == typeId)
                {
                    final long paddingEnd = position + alignedLength(frameLength);
                    checkPaddingBelowTail(paddingEnd, frameLength);
                    position = paddingEnd;
                    continue;
                }
                final long end = position + alignedLength(frameLength);
                if (end > tailCheckPosition)
                {
                    checkBelowTail(end, frameLength);
                }
                final ControlledMessageHandler.Action action =
                    handler.onMessage(typeId, this.buffer, offset + HEADER_LENGTH, frameLength - HEADER_LENGTH);
                if (ControlledMessageHandler.Action.ABORT == action)
                {
                    break;
                }
                ++count;
                bytes += frameLength - HEADER_LENGTH;
                position = end;
                if (ControlledMessageHandler.Action.BREAK == action)
                {
                    break;
                }
                if (ControlledMessageHandler.Action.COMMIT == action)
                {
                    storeHead(position, count - storedCount, bytes);
                    stored = position;
                    storedCount = count;
                    bytes = 0;
                }
            }
        }
        finally
        {
            reading = false;
            if (position != stored)
            {
                storeHead(position, count - storedCount, bytes);
            }
        }
        if (0 == count)
        {
            onIdle(position); // as read does: where claims with no header are found and skipped
        }
        return count;
    }

    /**
     * A message is committed only after the producers' tail has moved past it (SPSC stores the tail at the claim,
     * MPSC producers move it to claim), so a message ending past the tail is a corrupt file: records scribbled all
     * the way round would otherwise be read round and round across reads (a read counts a lap only from where it
     * started, and a COMMIT moves that point). Checked once a lap, so the tail's line, which the producer writes at
     * every claim, is loaded once per capacity read, not per batch.
     *
     * @param end         the end position of the message just read.
     * @param frameLength its frame length.
     */
    private void checkBelowTail(final long end, final int frameLength)
    {
        final long tail = loadTail(); // acquire, after the header's acquire: the tail stored before its commit
        if (end > tail)
        {
            final long position = end - alignedLength(frameLength);
            throw corrupt("message end", "at most tailPosition=" + tail + " (records past the tail)", end, position);
        }
        tailCheckPosition = end + capacity; // here, once a lap, not at the end of every read
    }

    /**
     * Padding other than at the wrap point (an abort's, or a skipped claim's) covers a claim, made before the tail
     * moved past it: padding that ends past the tail is a corrupt file, and passing it would carry the head past the
     * tail, out of reach of every message committed in between. Checked at every such padding, which is rare, against
     * the tail as it is now. Wrap padding, which ends at the ring's end, is not: an earlier build of layout version 5
     * stored it before its tail (docs/LAYOUT.md).
     *
     * @param end         the end position of the padding just read.
     * @param frameLength its frame length.
     */
    private void checkPaddingBelowTail(final long end, final int frameLength)
    {
        if (0 != ((int)end & mask))
        {
            final long tail = loadTail(); // acquire, after the header's acquire: the tail stored before the padding
            if (end > tail)
            {
                final long position = end - alignedLength(frameLength);
                throw corrupt(
                    "padding end", "at most tailPosition=" + tail + " (padding past the tail)", end, position);
            }
        }
    }

    /**
     * A healthy ring keeps a zero header slot within a capacity of the head: records all the way round (padding is
     * not counted against a read's limit) are a corrupt file, not a batch without end.
     */
    private CorruptChannelException recordsAllRound(final long position, final long head)
    {
        return corrupt("records from head", "a zero header within capacity=" + capacity, position - head, head);
    }

    /**
     * Called when a read finds nothing committed at the head.
     *
     * @param position head position.
     * @param offset head offset in the ring.
     * @param header the header word found there: zero (nothing yet) or a claim.
     * @return aligned bytes skipped (a stuck claim turned into padding), or 0 to end the batch.
     */
    int onNotCommitted(final long position, final int offset, final long header)
    {
        if (0 == header)
        {
            return 0;
        }
        final int claimLength = -frameLength(header);
        if (claimLength < HEADER_LENGTH || claimLength > maxFrameLength || claimLength > capacity - offset)
        {
            throw corrupt("record frameLength", "a claim in [-" + Math.min(maxFrameLength, capacity - offset) +
                ", -" + HEADER_LENGTH + "]", -claimLength, position);
        }
        if (!isStuck(position))
        {
            return 0;
        }
        checkClaimBelowTail(position, claimLength);
        return skip(position, offset, header, claimLength);
    }

    /**
     * A claim lies wholly below the tail, which its claimer stored (SPSC) or won (MPSC) before marking it: a mark
     * reaching past the tail would carry the head past it, over records not yet written. A method of its own, off the
     * empty read's path.
     */
    private void checkClaimBelowTail(final long position, final int claimLength)
    {
        final long tail = loadTail();
        final long end = position + alignedLength(claimLength);
        if (end > tail)
        {
            throw corrupt("claim end", "at most tailPosition=" + tail, end, position);
        }
    }

    /**
     * Called after a read that delivered nothing; MPSC uses it to clean and to look for claims with no header.
     *
     * @param position head position.
     */
    void onIdle(final long position)
    {
    }

    /**
     * Is the claiming process of the claim at {@code position} known to be dead?
     *
     * @param position position of a claim.
     * @return true if it is dead and will never commit.
     */
    abstract boolean isClaimerDead(long position);

    /**
     * Store the head after a batch; MPSC also cleans behind it.
     *
     * @param position new head.
     * @param count messages consumed since the last store.
     * @param bytes body bytes consumed since the last store.
     */
    void storeHead(final long position, final int count, final long bytes)
    {
        head = position;
        messagesReceived += count;
        bytesReceived += bytes;
        // release: frees the bytes below position; pairs with the head acquire in a producer's capacity check
        final RingMemory headerMemory = this.headerMemory;
        headerMemory.putLongRelease(HEAD_POSITION_OFFSET, position);
        headerMemory.putLongRelease(MESSAGES_RECEIVED_OFFSET, messagesReceived);
        headerMemory.putLongRelease(BYTES_RECEIVED_OFFSET, bytesReceived);
        onHeadStored(position);
    }

    /**
     * Called after the head is stored: SPSC wakes producers waiting for space, MPSC cleans first.
     *
     * @param position the new head.
     */
    abstract void onHeadStored(long position);

    /**
     * Wake consumers sleeping on the data futex word, if any are announced. Called after every commit; without
     * sleepers it costs one load of a line written only by sleepers (and a fence where membarrier is missing).
     */
    final void signalConsumer()
    {
        if (!SIGNAL_DISABLED)
        {
            signal(DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET, DATA_WAKE_UPS_OFFSET);
        }
    }

    /**
     * Wake producers sleeping on the space futex word, if any are announced.
     *
     * @return {@link FutexWaker#NO_WAITERS} if none was announced, else the number woken (0 on the park/poll
     * fallback, or if none was in the kernel yet).
     */
    final int signalProducers()
    {
        return signal(SPACE_FUTEX_WORD_OFFSET, SPACE_WAITERS_OFFSET, SPACE_WAKE_UPS_OFFSET);
    }

    /**
     * Wake announced sleepers, counting each wake-up call made.
     *
     * @return as {@link FutexWaker#signal}.
     */
    private int signal(final int wordOffset, final int waitersOffset, final int wakeUpsOffset)
    {
        if (!fenceOnSignal && 0 == headerMemory.getIntVolatile(waitersOffset))
        {
            return FutexWaker.NO_WAITERS; // FutexWaker.signal's first step, without a fence when registered
        }
        final int woken = FutexWaker.signal(header, wordOffset, waitersOffset, fenceOnSignal);
        if (FutexWaker.NO_WAITERS != woken)
        {
            header.getAndAddLong(wakeUpsOffset, 1);
        }
        return woken;
    }

    /**
     * @return true if a committed record (or padding) is at the consumer's head, so a read would move on. A claim
     * not yet committed is not: a consumer that woke for it would find nothing, and spin until it is committed.
     * Finding none, it has the next read check the head at once ({@link #checkStuckOnNextRead()}): a claim's mark
     * there, or a header still 0 with the tail past it (an MPSC producer that died between its claim and its mark,
     * other producers' messages queued behind), so a consumer that sleeps on this condition checks a stuck claim at
     * every wake-up, at least once per longest sleep, rather than once per so many reads. An empty ring costs that
     * read one load of the tail, once per sleep. Used by consumers deciding whether to sleep (a commit wakes them);
     * call only from the consumer thread.
     */
    public boolean isHeadWritten()
    {
        final int frameLength = frameLength(ringMemory.getLongVolatile((int)head & mask));
        if (frameLength <= 0)
        {
            checkStuckOnNextRead();
        }
        return frameLength > 0;
    }

    /**
     * @return the position below which producers may reuse space, plus nothing: the head (SPSC) or the clean
     * position (MPSC). A producer waiting for space waits for this to move.
     */
    public abstract long freedPosition();

    /**
     * Has the claim at {@code position} stayed uncommitted long enough, or lost its claimer, to be skipped?
     * Checks the clock and the claimer every {@link #STUCK_CHECK_MASK} + 1 polls, or on the next poll after
     * {@link #checkStuckOnNextRead()}; the clock starts at the first check.
     *
     * @param position position of the claim.
     * @return true if it should be skipped now.
     */
    final boolean isStuck(final long position)
    {
        if (position != stuckPosition)
        {
            stuckPosition = position;
            stuckPolls = 0;
            stuckSinceNs = 0;
            return false;
        }
        if (0 != (++stuckPolls & STUCK_CHECK_MASK))
        {
            return false;
        }
        // the clock starts at the first check, at most STUCK_CHECK_MASK polls (microseconds) after the claim was
        // first seen: reading it at every sighting would tax the common case of a claim about to be committed
        final long nowNs = System.nanoTime();
        if (0 == stuckSinceNs)
        {
            stuckSinceNs = nowNs;
        }
        return isClaimerDead(position) || (nowNs - stuckSinceNs >= stuckClaimTimeoutNs && mayOutwaitClaimer());
    }

    /**
     * Called before a claim of a live producer is skipped for its age: MPSC first revokes a producer's bias, since
     * a biased producer commits with a plain store that a skip could not race.
     *
     * @return true if the claim may be skipped now.
     */
    boolean mayOutwaitClaimer()
    {
        return true;
    }

    /**
     * Has a claim whose header is still 0 (tail past it) at {@code position} stayed so long enough, or lost its
     * claimer, to be skipped? Called every {@link #STUCK_CHECK_MASK} + 1 idle polls, or on the next idle poll after
     * {@link #checkStuckOnNextRead()} (a consumer about to sleep); the first call for a position starts the clock and
     * decides nothing, so a claim seen in the instant between its tail and its header costs no liveness check (a
     * system call).
     *
     * @param position head position.
     * @return true if it should be skipped now.
     */
    final boolean isUnmarkedClaimStuck(final long position)
    {
        if (position != stuckPosition)
        {
            stuckPosition = position;
            stuckPolls = 0;
            stuckSinceNs = System.nanoTime();
            return false;
        }
        return isClaimerDead(position) || System.nanoTime() - stuckSinceNs >= stuckClaimTimeoutNs;
    }

    /**
     * Make the next read check a stuck or unmarked claim at once rather than after more polls: called by
     * consumers that sleep between reads, whose polls are too rare for the poll count to mean anything.
     */
    public void checkStuckOnNextRead()
    {
        stuckPolls |= STUCK_CHECK_MASK;
        idlePolls |= STUCK_CHECK_MASK;
    }

    /**
     * Turn a stuck claim into padding, if its claimer does not commit it first.
     *
     * @param position position of the claim.
     * @param offset its offset.
     * @param expected the header word seen.
     * @param frameLength length to cover with padding.
     * @return aligned length skipped, or 0 if the claimer committed meanwhile.
     */
    final int skip(final long position, final int offset, final long expected, final int frameLength)
    {
        return skip(position, offset, expected, frameLength, true);
    }

    /**
     * Turn a stuck claim, or the part of one before the ring's end, into padding, if its claimer does not commit it
     * first.
     *
     * @param position position of the claim.
     * @param offset its offset.
     * @param expected the header word seen.
     * @param frameLength length to cover with padding.
     * @param counted whether to count a skipped message: not for the wrap padding of a claim whose record, at the
     *                ring's start, is skipped and counted in its turn.
     * @return aligned length skipped, or 0 if the claimer committed meanwhile.
     */
    final int skip(
        final long position, final int offset, final long expected, final int frameLength, final boolean counted)
    {
        if (!buffer.compareAndSetLong(offset, expected, makeHeader(frameLength, PADDING_TYPE_ID)))
        {
            return 0;
        }
        stuckPosition = -1;
        if (counted)
        {
            header.getAndAddLong(RECORDS_SKIPPED_OFFSET, 1);
        }
        return alignedLength(frameLength);
    }

    /**
     * Check a committed record's header before it is used.
     *
     * @param position its position.
     * @param offset its offset.
     * @param frameLength its frame length, {@code > 0}.
     * @param typeId its type id.
     */
    final void checkRecord(final long position, final int offset, final int frameLength, final int typeId)
    {
        final int remaining = capacity - offset;
        if (PADDING_TYPE_ID == typeId)
        {
            if (frameLength < HEADER_LENGTH || frameLength > remaining)
            {
                throw corrupt("padding frameLength", "in [" + HEADER_LENGTH + ", " + remaining + "]",
                    frameLength, position);
            }
        }
        else if (frameLength < HEADER_LENGTH || frameLength > maxFrameLength || frameLength > remaining)
        {
            throw corrupt("record frameLength", "in [" + HEADER_LENGTH + ", " + Math.min(maxFrameLength, remaining) +
                "]", frameLength, position);
        }
        else if (typeId < 1)
        {
            throw corrupt("record typeId", ">= 1", typeId, position);
        }
    }

    /**
     * A process on the park/poll fallback changes a futex word but cannot make a FUTEX_WAKE: a sleeper in the kernel
     * would sleep its whole timeout. Attaching to a role that wakes the sleepers of {@code flagOffset}'s word, such a
     * process sets the flag, and sleepers that heed it ({@link io.conduit.wait.FutexWaiter}, {@code Channel},
     * {@code ChannelSet}) sleep at most 1 ms at a time while it is set. A process on the native path clears it when it
     * takes a role held by one process at a time (the consumer, an SPSC producer): the waker that set it has gone. An
     * MPSC producer's flag stays, since other producers may still be on the fallback.
     *
     * @param flagOffset {@code DATA_DEAF_WAKERS_OFFSET} for a producer, {@code SPACE_DEAF_WAKERS_OFFSET} for the
     *                   consumer.
     * @param exclusive  whether the role is held by one process at a time.
     */
    final void noteWaker(final int flagOffset, final boolean exclusive)
    {
        final boolean deaf = !Futex.isNative();
        final int flag = header.getIntVolatile(flagOffset);
        if (deaf && 0 == flag)
        {
            header.putIntVolatile(flagOffset, 1);
        }
        else if (!deaf && exclusive && 0 != flag)
        {
            header.putIntVolatile(flagOffset, 0);
        }
    }

    /**
     * Register this process as the consumer and load the head, checking it against the tail.
     */
    void attachConsumer()
    {
        claimRole(CONSUMER_PID_OFFSET, "consumer");
        header.putLongRelease(CONSUMER_HEARTBEAT_OFFSET, System.currentTimeMillis());
        final long head = header.getLongVolatile(HEAD_POSITION_OFFSET);
        final long tail = loadTail();
        try
        {
            checkPositions(head, tail);
        }
        catch (final RuntimeException ex)
        {
            releaseConsumer(); // a refused consumer holds no role
            throw ex;
        }
        this.head = head;
        noteWaker(SPACE_DEAF_WAKERS_OFFSET, true); // the consumer wakes producers asleep for space
        // one consumer: a count left by a predecessor killed in its sleep would cost every send a wake-up call. Also
        // when the pid is this process's: a restarted process may have its dead predecessor's pid (a container's 1)
        header.putIntVolatile(DATA_WAITERS_OFFSET, 0);
        this.messagesReceived = header.getLongVolatile(MESSAGES_RECEIVED_OFFSET);
        this.bytesReceived = header.getLongVolatile(BYTES_RECEIVED_OFFSET);
        consumerAttached = true;
    }

    /**
     * Give up this process's roles: called on close.
     */
    public void release()
    {
        if (consumerAttached)
        {
            releaseConsumer();
        }
        if (producerAttached)
        {
            releaseProducer();
        }
    }

    /**
     * Give up the consumer role, if this process holds it.
     */
    final void releaseConsumer()
    {
        releaseRole(CONSUMER_PID_OFFSET);
    }

    /**
     * Clear the pid word at {@code pidOffset} if it still holds this process's. Loaded before the compare-and-set: a
     * page of a file truncated under its mapping then faults at the load, which the JVM raises as an
     * {@link InternalError} (on JDK 25 at once; on JDK 17 later, with the load returning a value that is not this
     * pid, so the compare-and-set, which would crash an interpreted caller, is skipped all the same).
     *
     * @param pidOffset offset in the header of a role's pid word.
     */
    final void releaseRole(final int pidOffset)
    {
        if (pid == header.getLongVolatile(pidOffset))
        {
            header.compareAndSetLong(pidOffset, pid, 0);
        }
    }

    /**
     * Give up the producer role.
     */
    abstract void releaseProducer();

    /**
     * Take a single-holder role (SPSC producer, consumer) by writing this pid into the header.
     *
     * @param pidOffset offset of the role's pid field.
     * @param role name of the role, for messages.
     */
    final void claimRole(final int pidOffset, final String role)
    {
        while (true)
        {
            final long holder = header.getLongVolatile(pidOffset);
            if (holder == pid)
            {
                return;
            }
            // a word of this pid with another stamp (or none) is a dead predecessor's: a restarted process may have
            // its pid (a container's 1)
            if (0 != holder && ProcessIdentity.pid(holder) != ProcessIdentity.pid(pid) &&
                ProcessIdentity.isAlive(holder))
            {
                throw new IllegalStateException("channel already has a live " + role + " pid=" +
                    ProcessIdentity.describe(holder) +
                    " file=" + fileName);
            }
            if (header.compareAndSetLong(pidOffset, holder, pid))
            {
                return;
            }
        }
    }

    /**
     * Cross-check a head and a tail read from the header.
     *
     * @param head head position.
     * @param tail tail position, read after the head.
     */
    final void checkPositions(final long head, final long tail)
    {
        if (head < 0 || 0 != (head & (ALIGNMENT - 1)))
        {
            throw corrupt("headPosition", ">= 0 and a multiple of " + ALIGNMENT, head, head);
        }
        if (tail < head || 0 != (tail & (ALIGNMENT - 1)))
        {
            throw corrupt("tailPosition", ">= headPosition=" + head + " and a multiple of " + ALIGNMENT, tail, head);
        }
        if (tail - head > capacity)
        {
            throw corrupt("tailPosition - headPosition", "<= capacity=" + capacity, tail - head, head);
        }
    }

    /**
     * Check a claim's type id and body length.
     *
     * @param typeId type id, {@code >= 1}.
     * @param length body length.
     */
    final void checkClaimArguments(final int typeId, final int length)
    {
        if (typeId < 1)
        {
            throw new IllegalArgumentException("typeId=" + typeId + " expected >= 1");
        }
        if (length < 0 || length > maxMessageLength)
        {
            throw new IllegalArgumentException("length=" + length + " expected in [0, " + maxMessageLength +
                "] file=" + fileName);
        }
    }

    /**
     * Check an offset given to commit or abort and return the claim's header.
     *
     * @param offset body offset returned by tryClaim.
     * @return the claim's header word.
     */
    final long checkedClaimHeader(final int offset)
    {
        final int recordOffset = offset - HEADER_LENGTH;
        if (recordOffset < 0 || recordOffset > capacity - HEADER_LENGTH || 0 != (recordOffset & (ALIGNMENT - 1)))
        {
            throw new IllegalArgumentException("offset=" + offset + " is not a claim: expected in [" +
                HEADER_LENGTH + ", " + capacity + ") and " + ALIGNMENT + "-byte aligned after the header, file=" +
                fileName);
        }
        final long header = ringMemory.getLongVolatile(recordOffset);
        final int frameLength = frameLength(header);
        if (frameLength > 0 && PADDING_TYPE_ID == typeId(header) && recordOffset >= 0)
        {
            throw new IllegalStateException("claim at offset=" + recordOffset + " is padding: the consumer skipped " +
                "it after the stuck claim timeout (or it was aborted); the message was not delivered, file=" +
                fileName);
        }
        if (frameLength >= 0 || -frameLength > maxFrameLength || -frameLength < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("offset=" + offset + " is not a live claim: frameLength=" +
                frameLength + " file=" + fileName);
        }
        return header;
    }

    /**
     * @param field what failed.
     * @param expected what was expected.
     * @param actual what was found.
     * @param position where.
     * @return an exception naming them and the file.
     */
    final CorruptChannelException corrupt(
        final String field, final String expected, final long actual, final long position)
    {
        return new CorruptChannelException("channel file ring: " + field + "=" + actual + " expected " + expected +
            " at position=" + position + " file=" + fileName);
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return getClass().getSimpleName() + "{file=" + fileName + ", capacity=" + capacity +
            ", maxMessageLength=" + maxMessageLength + '}';
    }
}
