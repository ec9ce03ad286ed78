package io.conduit.perf.harness;

import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;

/**
 * One side of one system for one repetition. The parent process pings and consumes; the child process echoes and
 * produces. One instance per side per repetition, closed at its end.
 * <p>
 * Set-up runs in this order, so that blocking opens (a FIFO, an accept) always have their peer on the way:
 * <ol>
 *     <li>parent {@link #prepare}: create what the child will open (files, a listening socket); its result is
 *     sent to the child;</li>
 *     <li>child {@link #open}: open its side; its result is sent back with {@code READY};</li>
 *     <li>child {@link #connectChild} and parent {@link #connect}, concurrently: finish the link.</li>
 * </ol>
 * Each system implements its own loops, so each loop's calls stay monomorphic whatever else the JVM has run: the
 * parent JVM runs every system, and one shared loop calling the systems through an interface would go megamorphic
 * and measure the dispatch. Only what adds no call site with a new receiver type is shared: the static
 * {@link Watchdog#spinOnce} and the {@link Receiver} and {@link Counter} handlers, which Conduit's and Agrona's
 * rings call through their own, separate call sites.
 * <p>
 * Threading: one thread per instance.
 */
abstract class Endpoint implements AutoCloseable
{
    /** Placeholder for "nothing to pass". */
    static final String NONE = "-";

    /** System name. */
    final String system;
    /** Message body length in bytes. */
    int length;

    /**
     * @param system the system name, for messages.
     */
    Endpoint(final String system)
    {
        this.system = system;
    }

    /**
     * Parent, in its ping-pong loop: check a round trip's echoed sequence and, past the warm-up, record its time.
     * Final and static in what it calls, so sharing it adds no call site that could go megamorphic.
     *
     * @param histogram   the repetition's histogram.
     * @param index       the round trip's index, which the echo must carry as its sequence.
     * @param warmup      round trips not recorded.
     * @param sequence    the sequence the echo carried.
     * @param roundTripNs the round trip's time: the clock on receipt minus the send time carried in the message.
     */
    final void record(
        final Histogram histogram, final int index, final int warmup, final long sequence, final long roundTripNs)
    {
        MessageLayout.checkSequence(index, sequence, system);
        if (index >= warmup)
        {
            histogram.recordValue(roundTripNs);
        }
    }

    /**
     * Parent, in its ping-pong loop over a message-based system: check that the reply is the whole message, as long
     * as the ping, then its sequence, and record its time as {@link #record(Histogram, int, int, long, long)} does.
     *
     * @param histogram the repetition's histogram.
     * @param index     the round trip's index, which the echo must carry as its sequence.
     * @param warmup    round trips not recorded.
     * @param reply     the reply received.
     * @param length    the ping's length.
     * @param nowNs     the clock on receipt.
     */
    final void record(
        final Histogram histogram, final int index, final int warmup, final Receiver reply, final int length,
        final long nowNs)
    {
        MessageLayout.checkLength(length, reply.length, system);
        record(histogram, index, warmup, reply.sequence, nowNs - reply.sendNs);
    }

    /**
     * Parent, in its ping-pong loop: stamp round trip {@code index}'s message with its send time, taken from the
     * pacer, and its sequence. Static, on a concrete buffer type, so sharing it adds no call site that could go
     * megamorphic.
     *
     * @param message the message about to be sent.
     * @param pacer   the repetition's pacer.
     * @param index   the round trip's index, its sequence.
     */
    static void stamp(final UnsafeBuffer message, final Pacer pacer, final int index)
    {
        message.putLong(MessageLayout.SEND_TIME_OFFSET, pacer.sendTimeNs());
        message.putLong(MessageLayout.SEQUENCE_OFFSET, index);
    }

    /**
     * Parent: create what the child opens.
     *
     * @param repDirectory a fresh directory for this repetition's files.
     * @param length message body length.
     * @return a token for the child's {@link #open}; no spaces.
     * @throws Exception if set-up fails.
     */
    String prepare(final Path repDirectory, final int length) throws Exception
    {
        this.length = length;
        return repDirectory.toString();
    }

    /**
     * Child: open this side.
     *
     * @param token what the parent's {@link #prepare} returned.
     * @param length message body length.
     * @return a token for the parent's {@link #connect}; no spaces.
     * @throws Exception if set-up fails.
     */
    String open(final String token, final int length) throws Exception
    {
        this.length = length;
        return NONE;
    }

    /**
     * Child: finish the link after {@code READY} was sent.
     *
     * @param watchdog bounds the wait.
     * @throws Exception if the link fails.
     */
    void connectChild(final Watchdog watchdog) throws Exception
    {
    }

    /**
     * Parent: finish the link once the child is {@code READY}.
     *
     * @param token what the child's {@link #open} returned.
     * @param watchdog bounds the wait.
     * @throws Exception if the link fails.
     */
    void connect(final String token, final Watchdog watchdog) throws Exception
    {
    }

    /**
     * Parent: send {@code total} messages one at a time, each after the previous reply, recording round trips after
     * the first {@code warmup}.
     *
     * @param histogram where round trips go, in ns.
     * @param warmup messages not recorded.
     * @param total messages in all.
     * @param intervalNs 0 to send back to back; else the fixed interval between intended send times.
     * @param watchdog bounds each wait.
     * @throws Exception if the link fails or a reply is out of sequence.
     */
    abstract void pingPong(Histogram histogram, int warmup, int total, long intervalNs, Watchdog watchdog)
        throws Exception;

    /**
     * Child: answer {@code total} messages, each with a copy of itself.
     *
     * @param total messages to answer.
     * @param watchdog bounds each wait.
     * @throws Exception if the link fails.
     */
    abstract void echo(int total, Watchdog watchdog) throws Exception;

    /**
     * Child: send {@code total} messages as fast as the system takes them.
     *
     * @param total messages to send.
     * @param watchdog bounds each wait.
     * @return offers refused for back-pressure.
     * @throws Exception if the link fails.
     */
    long produce(final int total, final Watchdog watchdog) throws Exception
    {
        throw new UnsupportedOperationException(system + " has no throughput mode");
    }

    /**
     * Parent: receive {@code total} messages, checking their sequence, returning at the last. The caller times it,
     * from just before it tells the child to start producing, the same way for every system.
     *
     * @param total messages to receive.
     * @param watchdog bounds each wait.
     * @throws Exception if the link fails or a message is out of sequence.
     */
    void consume(final int total, final Watchdog watchdog) throws Exception
    {
        throw new UnsupportedOperationException(system + " has no throughput mode");
    }

    /**
     * Release this side's resources, quietly. Files are deleted by the parent with the repetition's directory.
     */
    @Override
    public abstract void close();

    /**
     * Ping-pong reply handler for Conduit's and Agrona's rings (their callbacks have the same signature) and Aeron's
     * subscriptions: copies the whole reply out and keeps its length and the send time and sequence it carried; a
     * reply shorter than the message layout or longer than the buffer is not read (sequence -1, so the parent's
     * length check refuses it).
     */
    static final class Receiver
        implements io.conduit.MessageHandler, org.agrona.concurrent.MessageHandler, FragmentHandler
    {
        /** Where the whole reply is copied, as a socket's or a FIFO's read copies it: every line of it is fetched. */
        private final byte[] body = new byte[HarnessOptions.MAX_LENGTH];
        long sendNs;
        long sequence;
        int length;

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            onReply(buffer, offset, length);
        }

        @Override
        public void onFragment(
            final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            onReply(buffer, offset, length);
        }

        private void onReply(final DirectBuffer buffer, final int offset, final int length)
        {
            this.length = length;
            if (length < MessageLayout.MIN_LENGTH || length > body.length)
            {
                // refused by the length check: not copied past the array, and no word read past the reply
                sendNs = 0;
                sequence = -1;
                return;
            }
            buffer.getBytes(offset, body, 0, length);
            sendNs = buffer.getLong(offset + MessageLayout.SEND_TIME_OFFSET);
            sequence = buffer.getLong(offset + MessageLayout.SEQUENCE_OFFSET);
        }
    }

    /**
     * Throughput consumer for Conduit's and Agrona's rings: counts messages, checking each one's sequence.
     */
    static final class Counter implements io.conduit.MessageHandler, org.agrona.concurrent.MessageHandler
    {
        private final String system;
        int count;

        Counter(final String system)
        {
            this.system = system;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            MessageLayout.checkSequence(count, buffer.getLong(offset + MessageLayout.SEQUENCE_OFFSET), system);
            count++;
        }
    }
}
