package io.conduit;

import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.ring.AbstractRing;
import io.conduit.ring.MpscRing;
import io.conduit.ring.Ring;
import io.conduit.wait.Awaitable;
import io.conduit.wait.FutexIdleStrategy;
import io.conduit.wait.FutexWaiter;
import io.conduit.wait.FutexWaker;
import io.conduit.wait.WaitCondition;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import static io.conduit.file.ChannelFileDescriptor.*;

/**
 * A named channel with blocking and non-blocking send and receive: a {@link ChannelFile}, its ring, and the futex
 * words its sleepers use.
 * <p>
 * A blocking call spins {@code spins} times, yields {@code yields} times, then sleeps in the kernel on the channel's
 * futex word (the timeout counts from the first clock read, at most 64 spins into the call, so a hot call reads no
 * clock) (data for {@link #receive}, space for {@link #send}) until a commit, a freed batch, the timeout or
 * {@link #close()} wakes it. Senders pay no system call while nobody sleeps: see {@code docs/WAITING.md}.
 * <p>
 * Threading: one receiving thread (the ring's consumer); sending threads as the ring kind allows (one for SPSC, any
 * for MPSC). {@link #close()} may be called from any thread: it wakes this process's sleepers, which throw
 * {@link ChannelClosedException}, waits for blocking calls to leave, and unmaps. An interrupt ends a blocking call
 * as its timeout would, at its next sleep (within the longest sleep if it comes while asleep): {@code receive}
 * returns 0 and {@code send} false, with the thread's interrupt flag still set. Once closed, {@code send},
 * {@code receive}, {@link #offer} and {@link #poll} throw {@link ChannelClosedException}; the non-blocking ones
 * ({@link #offer}, {@link #poll}) must not race with close, though, since they do not hold it off. A handler running
 * inside this channel's own {@link #poll} or {@link #receive} (or a {@link ChannelSet}'s that includes it) cannot
 * close it: {@link #close()} throws {@link IllegalStateException} there (unmapped then, the ring would be touched
 * again by the read the handler returns to). Note the request and close after the call returns.
 */
public final class Channel implements AutoCloseable
{
    /** Default busy spins before yielding. */
    public static final int DEFAULT_SPINS = 2_000;
    /** Default yields before sleeping. */
    public static final int DEFAULT_YIELDS = 50;
    /** Default longest single sleep; a sleeper re-checks for close and stuck claims at least this often. */
    public static final long DEFAULT_MAX_SLEEP_NS = FutexIdleStrategy.DEFAULT_MAX_SLEEP_NS;
    /** Spins between two clock reads while spinning: the clock costs as much as a round trip's slack. */
    static final int CLOCK_CHECK_MASK = 63;
    /**
     * First sleep of a send refused by an MPSC bias holder inside its claim section (docs/LAYOUT.md, "MPSC bias"),
     * whose leaving wakes nobody: each further refusal in a row doubles it, up to the channel's longest sleep.
     */
    static final long HOLDER_REFUSED_SLEEP_NS = 1_000_000L;
    /** {@link #idle}: no deadline set yet. */
    static final long NO_DEADLINE = Long.MIN_VALUE;
    /** {@link #idle}: the deadline has passed. */
    static final long TIMED_OUT = Long.MIN_VALUE + 1;

    // close(): passes that spin before the pauses, and the pauses, growing from the first to the longest
    private static final int CLOSE_SPINS = 1_000;
    private static final long CLOSE_FIRST_PAUSE_NS = 10_000L;
    private static final long CLOSE_MAX_PAUSE_NS = 1_000_000L;
    private static final VarHandle ACTIVE_CALLS;

    static
    {
        try
        {
            ACTIVE_CALLS = MethodHandles.lookup().findVarHandle(Channel.class, "activeCalls", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final String name;
    private final ChannelFile file;
    private final Ring ring;
    private final AbstractRing abstractRing;
    /** The ring, if MPSC, else null: it tells a refusal by a bias holder from one for space. */
    private final MpscRing mpscRing;
    private final FutexWaiter dataWaiter;
    private final FutexWaiter spaceWaiter;
    /** What send sleeps on: the space waiter, counted in the producer slot too for an MPSC ring. */
    private final Awaitable spaceSleeper;
    private final WaitCondition dataAvailable;
    private final WaitCondition closedCondition;
    /**
     * Per sending thread (MPSC allows many): the freed position each saw at its failed offer. One for all channels,
     * holding a channel only during a blocked send: a thread's entry must not keep a closed channel reachable.
     */
    private static final ThreadLocal<SpaceFreed> SPACE_FREED = ThreadLocal.withInitial(SpaceFreed::new);
    private final int spins;
    private final int yields;
    private final long maxSleepNs;
    private volatile boolean closed;
    // the thread running this channel's handlers while it does, and how many calls deep (plain fields: the receiving
    // thread alone writes them, and only that thread finds itself there)
    private Thread handlerThread;
    private int handlerCalls;
    private final Object closeLock = new Object();
    @SuppressWarnings("unused")
    private volatile int activeCalls;

    private Channel(
        final String name, final ChannelFile file, final int spins, final int yields, final long maxSleepNs)
    {
        this.name = name;
        this.file = file;
        this.ring = file.ring();
        this.abstractRing = (AbstractRing)ring;
        this.mpscRing = ring instanceof MpscRing ? (MpscRing)ring : null;
        this.dataWaiter = new FutexWaiter(
            file.headerBuffer(), DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET, DATA_DEAF_WAKERS_OFFSET);
        this.spaceWaiter = new FutexWaiter(
            file.headerBuffer(), SPACE_FUTEX_WORD_OFFSET, SPACE_WAITERS_OFFSET, SPACE_DEAF_WAKERS_OFFSET);
        this.spaceSleeper = null != mpscRing ? this::awaitSpaceCounted : spaceWaiter;
        this.dataAvailable = () -> closed || abstractRing.isHeadWritten();
        this.closedCondition = () -> closed;
        this.spins = spins;
        this.yields = yields;
        this.maxSleepNs = maxSleepNs;
    }

    /**
     * Open a channel, creating its file if missing.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @param options kind, capacity, etc. for creation; checked where set when the file exists.
     * @return the channel.
     * @throws IOException if the file cannot be created or opened.
     */
    public static Channel open(final Path directory, final String name, final ChannelOptions options)
        throws IOException
    {
        return open(directory, name, options, DEFAULT_SPINS, DEFAULT_YIELDS, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * Open a channel, creating its file if missing, with its own waiting policy.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @param options kind, capacity, etc. for creation; checked where set when the file exists.
     * @param spins busy spins before yielding, {@code >= 0}.
     * @param yields yields before sleeping, {@code >= 0}.
     * @return the channel.
     * @throws IOException if the file cannot be created or opened.
     */
    public static Channel open(
        final Path directory, final String name, final ChannelOptions options, final int spins, final int yields)
        throws IOException
    {
        return open(directory, name, options, spins, yields, DEFAULT_MAX_SLEEP_NS);
    }

    /**
     * Open a channel, creating its file if missing, with its own waiting policy. If building the channel over the
     * opened file throws, the file is closed before the exception is rethrown: a failed open leaves nothing mapped.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @param options kind, capacity, etc. for creation; checked where set when the file exists.
     * @param spins busy spins before yielding, {@code >= 0}.
     * @param yields yields before sleeping, {@code >= 0}.
     * @param maxSleepNs longest single futex sleep, {@code > 0}: how often a sleeper re-checks on its own.
     * @return the channel.
     * @throws IOException if the file cannot be created or opened.
     */
    public static Channel open(
        final Path directory,
        final String name,
        final ChannelOptions options,
        final int spins,
        final int yields,
        final long maxSleepNs)
        throws IOException
    {
        if (spins < 0 || yields < 0 || maxSleepNs <= 0 || (long)spins + yields >= Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("spins=" + spins + " yields=" + yields + " maxSleepNs=" + maxSleepNs +
                " expected spins >= 0, yields >= 0, spins + yields < " + Integer.MAX_VALUE + ", maxSleepNs > 0");
        }
        final ChannelFile file = ChannelFile.openOrCreate(directory, name, options);
        try
        {
            return new Channel(name, file, spins, yields, maxSleepNs);
        }
        catch (final RuntimeException | Error ex)
        {
            // a file nobody will close stays mapped and counted open (ProcessIdentity then keeps its /proc files)
            try
            {
                file.close();
            }
            catch (final RuntimeException | Error closeEx)
            {
                ex.addSuppressed(closeEx);
            }
            throw ex;
        }
    }

    /**
     * @return the ring, for zero-copy {@code tryClaim}/{@code commit}.
     */
    public Ring ring()
    {
        return ring;
    }

    /**
     * @return the channel file.
     */
    public ChannelFile file()
    {
        return file;
    }

    /**
     * Copy a message in, without waiting.
     *
     * @param typeId type id, {@code >= 1}.
     * @param source body.
     * @param offset body offset.
     * @param length body length.
     * @return false on back-pressure.
     * @throws ChannelClosedException if the channel is closed.
     * @throws TruncatedChannelException if the channel file was truncated under its mapping (docs/LAYOUT.md).
     */
    public boolean offer(final int typeId, final DirectBuffer source, final int offset, final int length)
    {
        checkOpen(); // the ring's memory is unmapped once closed: touching it could crash the JVM
        try
        {
            return ring.offer(typeId, source, offset, length);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throwIfTruncated(ex);
            throw ex;
        }
    }

    /**
     * Copy a message in, waiting up to {@code timeoutNs} for space.
     *
     * @param typeId type id, {@code >= 1}.
     * @param source body.
     * @param offset body offset.
     * @param length body length.
     * @param timeoutNs longest wait; an offer refused by an MPSC bias holder waits its patience (10 ms) with no
     *                  deadline, so such a send may return up to 20 ms after it (docs/LAYOUT.md, "MPSC bias").
     * @return false if the timeout passed without space.
     * @throws ChannelClosedException if the channel is or gets closed.
     * @throws TruncatedChannelException if the channel file was truncated under its mapping (docs/LAYOUT.md).
     */
    public boolean send(
        final int typeId, final DirectBuffer source, final int offset, final int length, final long timeoutNs)
    {
        enter();
        try
        {
            final int status = offerStatus(typeId, source, offset, length);
            if (MpscRing.OFFERED == status)
            {
                return true;
            }
            return sendWaiting(typeId, source, offset, length, timeoutNs, MpscRing.HOLDER_REFUSED == status);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throwIfTruncated(ex);
            throw ex;
        }
        finally
        {
            leave();
        }
    }

    /**
     * The blocking part of {@link #send}, after its first offer was refused.
     *
     * @param refusedByHolder whether that refusal was an MPSC bias holder's, not a lack of space.
     */
    private boolean sendWaiting(
        final int typeId,
        final DirectBuffer source,
        final int offset,
        final int length,
        final long timeoutNs,
        final boolean refusedByHolder)
    {
        final SpaceFreed spaceFreed = SPACE_FREED.get();
        spaceFreed.channel = this;
        try
        {
            long deadlineNs = NO_DEADLINE;
            long holderSleepNs = 0; // 0 until a bias holder refuses, then the hold-off that refusal takes
            boolean holderRefused = refusedByHolder;
            for (int attempt = 1; ; attempt = nextAttempt(attempt))
            {
                if (holderRefused)
                {
                    // the offer already waited its patience on the holder: spinning would only wait again, and the
                    // holder leaving its section wakes nobody, so hold off at once, from 1 ms, doubling while refused
                    holderSleepNs = 0 == holderSleepNs ? Math.min(HOLDER_REFUSED_SLEEP_NS, maxSleepNs) :
                        holderSleepNs > maxSleepNs >> 1 ? maxSleepNs : holderSleepNs << 1;
                    // from here on, the call sleeps rather than spins or yields: it has already waited 10 ms
                    attempt = Math.max(attempt, firstSleepingAttempt());
                    deadlineNs = holdOff(attempt, deadlineNs, timeoutNs, holderSleepNs);
                    if (TIMED_OUT == deadlineNs)
                    {
                        return false;
                    }
                    checkOpen();
                }
                // the freed position before the offer: space freed after it is seen, and wakes a sleep below
                spaceFreed.freedAtFailure = abstractRing.freedPosition();
                final int status = offerStatus(typeId, source, offset, length);
                if (MpscRing.OFFERED == status)
                {
                    return true;
                }
                holderRefused = MpscRing.HOLDER_REFUSED == status;
                if (!holderRefused)
                {
                    holderSleepNs = 0;
                    deadlineNs = idle(attempt, deadlineNs, timeoutNs, spaceSleeper, spaceFreed);
                    if (TIMED_OUT == deadlineNs)
                    {
                        return false;
                    }
                    checkOpen();
                }
            }
        }
        finally
        {
            spaceFreed.channel = null;
        }
    }

    /**
     * Offer once: {@link MpscRing#OFFERED}, {@link Ring#INSUFFICIENT_CAPACITY}, or, on MPSC,
     * {@link MpscRing#HOLDER_REFUSED}, which this call's own offer returns, whatever other threads sending through the
     * same ring meet.
     */
    private int offerStatus(final int typeId, final DirectBuffer source, final int offset, final int length)
    {
        if (null != mpscRing)
        {
            return mpscRing.offerStatus(typeId, source, offset, length);
        }
        return ring.offer(typeId, source, offset, length) ? MpscRing.OFFERED : Ring.INSUFFICIENT_CAPACITY;
    }

    /**
     * Sleep {@code holdOffNs} after a refusal by a bias holder, or until the deadline or a close: on the space futex
     * word (so that close wakes it), re-sleeping when freed space or a bounded sleep (a process without membarrier
     * sleeps at most 1 ms at a time) ends a sleep early, since neither is the holder's leaving.
     *
     * @return the deadline, or {@link #TIMED_OUT} if it has passed.
     */
    private long holdOff(final int attempt, final long deadlineNs, final long timeoutNs, final long holdOffNs)
    {
        long deadline = deadlineNs;
        final long endNs = System.nanoTime() + holdOffNs;
        long remainingNs = holdOffNs;
        while (remainingNs > 0 && !closed)
        {
            deadline = idle(attempt, deadline, timeoutNs, spaceSleeper, closedCondition, remainingNs);
            if (TIMED_OUT == deadline)
            {
                return TIMED_OUT;
            }
            remainingNs = endNs - System.nanoTime();
        }
        return deadline;
    }

    /**
     * Read what is there, without waiting.
     *
     * @param handler called per message.
     * @param limit most messages, {@code >= 1}.
     * @return messages read.
     * @throws ChannelClosedException if the channel is closed.
     * @throws TruncatedChannelException if the channel file was truncated under its mapping (docs/LAYOUT.md).
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        checkOpen(); // the ring's memory is unmapped once closed: touching it could crash the JVM
        checkReadArguments(handler, limit);
        try
        {
            return read(handler, limit);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throwIfTruncated(ex);
            throw ex;
        }
    }

    /**
     * Read up to {@code limit} messages, waiting up to {@code timeoutNs} for the first.
     *
     * @param handler called per message.
     * @param limit most messages, {@code >= 1}.
     * @param timeoutNs longest wait.
     * @return messages read; 0 if the timeout passed.
     * @throws ChannelClosedException if the channel is or gets closed.
     * @throws TruncatedChannelException if the channel file was truncated under its mapping (docs/LAYOUT.md).
     */
    public int receive(final MessageHandler handler, final int limit, final long timeoutNs)
    {
        checkReadArguments(handler, limit);
        enter();
        enterHandlers(); // once a call, not once a read: the spin below reads the ring each turn
        try
        {
            int count = ring.read(handler, limit);
            if (count > 0)
            {
                return count;
            }
            long deadlineNs = NO_DEADLINE;
            for (int attempt = 1; ; attempt = nextAttempt(attempt))
            {
                if (isSleeping(attempt))
                {
                    abstractRing.checkStuckOnNextRead(); // reads are rare now: let the next one check stuck claims
                }
                deadlineNs = idle(attempt, deadlineNs, timeoutNs, dataWaiter, dataAvailable);
                if (TIMED_OUT == deadlineNs)
                {
                    return 0;
                }
                checkOpen();
                count = ring.read(handler, limit);
                if (count > 0)
                {
                    return count;
                }
            }
        }
        catch (final InternalError | IllegalStateException ex)
        {
            throwIfTruncated(ex);
            throw ex;
        }
        finally
        {
            leaveHandlers();
            leave();
        }
    }

    /**
     * The ring's read, with the calling thread noted as running this channel's handlers, so that a handler's
     * {@link #close()} is refused rather than unmap the ring under the read (or wait for its own call to leave).
     */
    private int read(final MessageHandler handler, final int limit)
    {
        enterHandlers();
        try
        {
            return ring.read(handler, limit);
        }
        finally
        {
            leaveHandlers();
        }
    }

    /**
     * Note the calling thread, the receiving one, as running this channel's handlers until the matching
     * {@link #leaveHandlers()}: {@link #close()} refuses to run there. Nested marks (a {@link ChannelSet} around
     * this channel's own poll) count up; a handler's read of the same ring is refused by the ring itself.
     */
    void enterHandlers()
    {
        if (0 == handlerCalls++)
        {
            handlerThread = Thread.currentThread();
        }
    }

    /**
     * See {@link #enterHandlers()}.
     */
    void leaveHandlers()
    {
        if (0 == --handlerCalls)
        {
            handlerThread = null;
        }
    }

    /**
     * For an error met touching the ring: if the channel file was truncated after it was mapped, throw the
     * {@link TruncatedChannelException} that says so, with the error as its cause (the JVM reports a touched page past
     * the new end as an {@link InternalError}, the kernel a futex word there as an errno, and a load that faulted in
     * compiled code may first have been read as a corrupt record). Otherwise return, for the caller to throw the error
     * itself.
     */
    void throwIfTruncated(final Throwable error)
    {
        if (error instanceof ChannelClosedException || error instanceof TruncatedChannelException)
        {
            return;
        }
        try
        {
            file.checkLength();
        }
        catch (final TruncatedChannelException truncated)
        {
            truncated.initCause(error);
            throw truncated;
        }
    }

    AbstractRing abstractRing()
    {
        return abstractRing;
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Close: wake this process's sleepers (they throw {@link ChannelClosedException}), wait for blocking calls to
     * leave, release this process's roles and unmap. Idempotent. The file is unmapped and counted closed whatever
     * fails on the way; the first failure is thrown after, as a {@link TruncatedChannelException} if the file was
     * truncated under its mapping. Of a file truncated below its header nothing is touched: its sleepers cannot be
     * woken, so a blocking call asleep in another thread leaves at its longest sleep (the {@code maxSleepNs} given
     * at open, 1 s by default), and close waits for it.
     *
     * @throws IllegalStateException if called from a handler of this channel's own {@link #poll} or {@link #receive}
     *                               (or a {@link ChannelSet}'s that includes it), which it leaves open.
     */
    @Override
    public void close()
    {
        if (Thread.currentThread() == handlerThread)
        {
            // unmapped now, the ring would be touched again by the read this handler returns to (a JVM crash); for a
            // blocking call, close would wait for the call it is in to leave
            throw new IllegalStateException("close() called from a handler of this channel's own poll or receive, " +
                "channel=" + name + ": close it after the call returns");
        }
        // one close at a time: a second waits for the first, then finds it closed
        synchronized (closeLock)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            closeOnce();
        }
    }

    private void closeOnce()
    {
        // a signal's fault or errno on a file truncated meanwhile: named now, while the file can still be measured
        Throwable failure = awaitCallsLeaving();
        if (null != failure)
        {
            try
            {
                throwIfTruncated(failure);
            }
            catch (final TruncatedChannelException truncated)
            {
                failure = truncated;
            }
            catch (final RuntimeException | Error ex)
            {
                failure.addSuppressed(ex);
            }
        }
        try
        {
            file.close();
        }
        catch (final RuntimeException | Error ex)
        {
            if (null == failure)
            {
                failure = ex;
            }
            else
            {
                failure.addSuppressed(ex);
            }
        }
        if (failure instanceof RuntimeException)
        {
            throw (RuntimeException)failure;
        }
        if (failure instanceof Error)
        {
            throw (Error)failure;
        }
    }

    /**
     * Wake the sleepers and wait for every blocking call to leave. A call may stay a while (a receive's handler
     * running, a send's patience for a bias holder): the sleepers are woken again now and then, with pauses growing
     * to 1 ms between, rather than spinning a core on wake-ups, each of which makes every sleeper of the channel, in
     * any process, wake and sleep again. Of a file truncated below its header the futex words are gone: no signal,
     * the sleepers leave at their longest sleep. Whatever a pass meets (a signal's fault or errno; on JDK 17, a fault
     * raised late, anywhere in the loop) stops the signals, not the wait: nothing is unmapped under a call.
     *
     * @return the first failure met, for the caller to throw once the file is closed; null if none.
     */
    private Throwable awaitCallsLeaving()
    {
        Throwable failure = null;
        long pauseNs = CLOSE_FIRST_PAUSE_NS;
        boolean interrupted = false;
        boolean signal = true;
        boolean signalChecked = false;
        for (int pass = 0; ; )
        {
            try
            {
                if (!signalChecked)
                {
                    signal = !file.isHeaderGone();
                    signalChecked = true;
                }
                if (0 == (int)ACTIVE_CALLS.getVolatile(this))
                {
                    break;
                }
                if (signal)
                {
                    FutexWaker.signal(file.headerBuffer(), DATA_FUTEX_WORD_OFFSET, DATA_WAITERS_OFFSET);
                    FutexWaker.signal(file.headerBuffer(), SPACE_FUTEX_WORD_OFFSET, SPACE_WAITERS_OFFSET);
                }
                if (pass < CLOSE_SPINS)
                {
                    Thread.onSpinWait();
                }
                else
                {
                    // a park returns at once while the flag is set: kept aside until the calls have left, then set
                    // again
                    interrupted |= Thread.interrupted();
                    LockSupport.parkNanos(pauseNs);
                    pauseNs = Math.min(2 * pauseNs, CLOSE_MAX_PAUSE_NS);
                }
                pass = nextAttempt(pass);
            }
            catch (final RuntimeException | Error ex)
            {
                signal = false;
                signalChecked = true;
                if (null == failure)
                {
                    failure = ex;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return failure;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "Channel{name=" + name + ", file=" + file + '}';
    }

    /**
     * One step of a blocking call that found nothing yet: spin, yield, or sleep on {@code sleeper}. The clock is
     * read only every {@link #CLOCK_CHECK_MASK} + 1 spins, and from then on at every step; the deadline is set at
     * the first read. Shared by {@link ChannelSet}.
     *
     * @param attempt    1 for the first step of the call, then 2, 3, ...
     * @param deadlineNs the value the previous step returned, {@link #NO_DEADLINE} at first.
     * @param timeoutNs  the call's timeout.
     * @param sleeper    what to sleep on once spins and yields are spent.
     * @param condition  re-checked by the sleeper after it announces itself.
     * @return the deadline, or {@link #TIMED_OUT} if it has passed.
     */
    long idle(
        final int attempt,
        final long deadlineNs,
        final long timeoutNs,
        final Awaitable sleeper,
        final WaitCondition condition)
    {
        return idle(attempt, deadlineNs, timeoutNs, sleeper, condition, maxSleepNs);
    }

    /**
     * As {@link #idle(int, long, long, Awaitable, WaitCondition)}, with the longest sleep given.
     *
     * @param attempt    1 for the first step of the call, then 2, 3, ...
     * @param deadlineNs the value the previous step returned, {@link #NO_DEADLINE} at first.
     * @param timeoutNs  the call's timeout.
     * @param sleeper    what to sleep on once spins and yields are spent.
     * @param condition  re-checked by the sleeper after it announces itself.
     * @param sleepNs    the longest sleep, at most the channel's.
     * @return the deadline, or {@link #TIMED_OUT} if it has passed.
     */
    private long idle(
        final int attempt,
        final long deadlineNs,
        final long timeoutNs,
        final Awaitable sleeper,
        final WaitCondition condition,
        final long sleepNs)
    {
        if (attempt <= spins && 0 != (attempt & CLOCK_CHECK_MASK))
        {
            Thread.onSpinWait();
            return deadlineNs;
        }
        final long nowNs = System.nanoTime();
        final long deadline = NO_DEADLINE == deadlineNs ? nowNs + timeoutNs : deadlineNs;
        final long remainingNs = deadline - nowNs;
        if (remainingNs <= 0)
        {
            return TIMED_OUT;
        }
        if (attempt <= spins)
        {
            Thread.onSpinWait();
        }
        else if (attempt <= spins + yields)
        {
            Thread.yield();
        }
        else
        {
            if (Thread.currentThread().isInterrupted())
            {
                // no sleep can be had with the flag set (the wait returns at once): end the call as its timeout
                // would, the flag left set, rather than spin to the deadline
                return TIMED_OUT;
            }
            sleeper.await(condition, Math.min(remainingNs, sleepNs));
        }
        return deadline;
    }

    /**
     * @param attempt the step of a blocking call.
     * @return the next step: one more, held at {@link Integer#MAX_VALUE}, so a call blocked for days (2^31 steps of
     * short sleeps) goes on sleeping rather than turning negative and spinning again.
     */
    static int nextAttempt(final int attempt)
    {
        return Math.max(attempt, attempt + 1);
    }

    /**
     * @param attempt the step of a blocking call.
     * @return true once the call sleeps rather than spins or yields.
     */
    boolean isSleeping(final int attempt)
    {
        return attempt >= firstSleepingAttempt();
    }

    private int firstSleepingAttempt()
    {
        return spins + yields + 1;
    }

    /**
     * Count a blocking call in, so that {@link #close()} waits for it to leave before unmapping; shared by
     * {@link ChannelSet}.
     *
     * @throws ChannelClosedException if the channel is closed.
     */
    void enter()
    {
        ACTIVE_CALLS.getAndAdd(this, 1);
        if (closed)
        {
            ACTIVE_CALLS.getAndAdd(this, -1);
            throw new ChannelClosedException("channel closed: " + name);
        }
    }

    /**
     * Count a blocking call out: see {@link #enter()}.
     */
    void leave()
    {
        ACTIVE_CALLS.getAndAdd(this, -1);
    }

    /**
     * Sleep for space on an MPSC ring, counted in this producer's slot as well as in the shared count, so that the
     * consumer can take the count of a process killed asleep back out of the shared one (see
     * {@link MpscRing#reclaimDeadSleepers()}). Slot count up first and down last: it never counts fewer than the
     * shared count holds for this object.
     */
    private int awaitSpaceCounted(final WaitCondition condition, final long timeoutNs)
    {
        final int sleepersOffset = mpscRing.spaceSleepersOffset();
        if (sleepersOffset < 0)
        {
            return spaceWaiter.await(condition, timeoutNs);
        }
        final AtomicBuffer header = file.headerBuffer();
        header.getAndAddLong(sleepersOffset, 1);
        try
        {
            return spaceWaiter.await(condition, timeoutNs);
        }
        finally
        {
            header.getAndAddLong(sleepersOffset, -1);
        }
    }

    /**
     * A read of no message would find data waiting and never sleep, so a blocking call would spin to its deadline.
     */
    static void checkReadArguments(final MessageHandler handler, final int limit)
    {
        if (null == handler)
        {
            throw new NullPointerException("handler");
        }
        if (limit < 1)
        {
            throw new IllegalArgumentException("limit=" + limit + " expected >= 1");
        }
    }

    /**
     * Space freed since this thread's failed offer: one per sending thread, so that one sender's failure does not
     * move the mark another sleeps on.
     */
    private static final class SpaceFreed implements WaitCondition
    {
        Channel channel;
        long freedAtFailure;

        @Override
        public boolean isSatisfied()
        {
            final Channel channel = this.channel;
            return channel.closed || channel.abstractRing.freedPosition() != freedAtFailure;
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new ChannelClosedException("channel closed: " + name);
        }
    }
}
