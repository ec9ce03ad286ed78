package io.conduit;

import io.conduit.ring.AbstractRing;
import io.conduit.wait.FutexWaitSet;
import io.conduit.wait.WaitCondition;
import org.agrona.concurrent.AtomicBuffer;

import static io.conduit.file.ChannelFileDescriptor.DATA_DEAF_WAKERS_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_FUTEX_WORD_OFFSET;
import static io.conduit.file.ChannelFileDescriptor.DATA_WAITERS_OFFSET;

/**
 * One receiving thread over several channels, for example a mailbox's priority lanes or a service reading many
 * mailboxes. {@link #poll} reads the channels in the order given, so earlier channels take priority; {@link
 * #receive} sleeps until any of them has data, through one {@code futex_waitv} call over all their data words
 * ({@link FutexWaitSet}; on kernels before 5.16, or where {@code futex_waitv} is refused, it parks and polls, from
 * 50 µs growing to 1 ms: docs/WAITING.md), so senders need nothing new and no wake-up is lost.
 * <p>
 * Threading: the set's thread is the consumer of every member channel. It does not own the channels: close them
 * yourself. A member closed from another thread while {@link #receive} waits wakes it, and {@code close()} waits for
 * it to leave (it throws {@link ChannelClosedException}) before unmapping; {@link #poll}, like
 * {@link Channel#poll}, must not race with close. A handler running inside the set's {@link #poll} or
 * {@link #receive} cannot close any member: {@link Channel#close()} throws {@link IllegalStateException} there.
 */
public final class ChannelSet
{
    private final Channel[] channels;
    private final AbstractRing[] rings;
    private final FutexWaitSet waitSet;
    private final WaitCondition anyData;
    private final Channel first;

    /**
     * @param channels the members, highest priority first; 1 to {@link FutexWaitSet#MAX_MEMBERS}. The spins,
     *                 yields and longest sleep of the first channel apply to the set.
     */
    public ChannelSet(final Channel... channels)
    {
        if (0 == channels.length || channels.length > FutexWaitSet.MAX_MEMBERS)
        {
            throw new IllegalArgumentException("channels=" + channels.length + " expected in [1, " +
                FutexWaitSet.MAX_MEMBERS + "]");
        }
        this.channels = channels.clone();
        this.rings = new AbstractRing[channels.length];
        final AtomicBuffer[] headers = new AtomicBuffer[channels.length];
        final int[] words = new int[channels.length];
        final int[] waiters = new int[channels.length];
        final int[] deafWakers = new int[channels.length];
        for (int i = 0; i < channels.length; i++)
        {
            rings[i] = channels[i].abstractRing();
            headers[i] = channels[i].file().headerBuffer();
            words[i] = DATA_FUTEX_WORD_OFFSET;
            waiters[i] = DATA_WAITERS_OFFSET;
            deafWakers[i] = DATA_DEAF_WAKERS_OFFSET;
        }
        this.waitSet = new FutexWaitSet(headers, words, waiters, deafWakers);
        this.anyData = this::isAnyClosedOrReadable;
        this.first = channels[0];
    }

    /**
     * Read what is there, channel by channel in priority order, up to {@code limit} messages in all.
     *
     * @param handler called per message.
     * @param limit most messages, {@code >= 1}.
     * @return messages read.
     * @throws ChannelClosedException if a member channel is closed.
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        Channel.checkReadArguments(handler, limit);
        final int marked = markHandlers();
        try
        {
            return pollMembers(handler, limit);
        }
        finally
        {
            unmarkHandlers(marked);
        }
    }

    private int pollMembers(final MessageHandler handler, final int limit)
    {
        int count = 0;
        for (final Channel channel : channels)
        {
            if (count >= limit)
            {
                break;
            }
            count += channel.poll(handler, limit - count);
        }
        return count;
    }

    /**
     * Note this thread as running the handlers of every member, not only the one being read: a handler closing
     * another member would unmap it under this call's next read, or, in receive, wait for this very call to leave.
     *
     * @return the members marked, for {@link #unmarkHandlers}.
     */
    private int markHandlers()
    {
        final Channel[] channels = this.channels;
        int marked = 0;
        try
        {
            while (marked < channels.length)
            {
                channels[marked].enterHandlers();
                marked++;
            }
            return marked;
        }
        catch (final RuntimeException | Error ex)
        {
            unmarkHandlers(marked);
            throw ex;
        }
    }

    private void unmarkHandlers(final int marked)
    {
        for (int i = 0; i < marked; i++)
        {
            channels[i].leaveHandlers();
        }
    }

    /**
     * Read up to {@code limit} messages, waiting up to {@code timeoutNs} for the first on any channel.
     *
     * @param handler called per message.
     * @param limit most messages, {@code >= 1}.
     * @param timeoutNs longest wait.
     * @return messages read; 0 if the timeout passed, or if the thread is interrupted (at its next sleep, the flag
     * left set, as {@link Channel#receive}).
     * @throws ChannelClosedException if a member channel is closed.
     * @throws TruncatedChannelException if a member's file was truncated under its mapping (docs/LAYOUT.md).
     */
    public int receive(final MessageHandler handler, final int limit, final long timeoutNs)
    {
        Channel.checkReadArguments(handler, limit);
        final Channel[] channels = this.channels;
        int entered = 0;
        int marked = 0;
        try
        {
            // counted into every member, as Channel.receive is into its own: a member's close() then wakes this
            // call and waits for it to leave before unmapping what it sleeps on
            while (entered < channels.length)
            {
                channels[entered].enter();
                entered++;
            }
            marked = markHandlers(); // once a call: the wait below polls every member each turn
            return pollOrWait(handler, limit, timeoutNs);
        }
        finally
        {
            unmarkHandlers(marked);
            for (int i = 0; i < entered; i++)
            {
                channels[i].leave();
            }
        }
    }

    private int pollOrWait(final MessageHandler handler, final int limit, final long timeoutNs)
    {
        int count = pollMembers(handler, limit);
        if (count > 0)
        {
            return count;
        }
        long deadlineNs = Channel.NO_DEADLINE;
        for (int attempt = 1; ; attempt = Channel.nextAttempt(attempt))
        {
            if (first.isSleeping(attempt))
            {
                for (final AbstractRing ring : rings)
                {
                    ring.checkStuckOnNextRead();
                }
            }
            deadlineNs = idle(attempt, deadlineNs, timeoutNs);
            if (Channel.TIMED_OUT == deadlineNs)
            {
                return 0;
            }
            for (final Channel channel : channels)
            {
                if (channel.isClosed())
                {
                    throw new ChannelClosedException("channel closed: " + channel);
                }
            }
            count = pollMembers(handler, limit);
            if (count > 0)
            {
                return count;
            }
        }
    }

    /**
     * Wait as {@link Channel#idle} does, on every member's futex word. An error met there (a member's file truncated
     * under its mapping: a fault reading a header, a futex errno) is named by the first truncated member, as
     * {@link Channel} names its own; errors from reads, handlers included, pass through {@link Channel#poll}, which
     * names its own channel only.
     */
    private long idle(final int attempt, final long deadlineNs, final long timeoutNs)
    {
        try
        {
            return first.idle(attempt, deadlineNs, timeoutNs, waitSet, anyData);
        }
        catch (final InternalError | IllegalStateException ex)
        {
            for (final Channel channel : channels)
            {
                channel.throwIfTruncated(ex);
            }
            throw ex;
        }
    }

    /**
     * The set's wait condition: a member closed (as {@link Channel}'s own, so a close whose first signal found no
     * sleeper announced yet still ends the sleep at the re-check) or readable.
     */
    boolean isAnyClosedOrReadable()
    {
        for (final Channel channel : channels)
        {
            if (channel.isClosed())
            {
                return true;
            }
        }
        for (final AbstractRing ring : rings)
        {
            if (ring.isHeadWritten())
            {
                return true;
            }
        }
        return false;
    }
}
