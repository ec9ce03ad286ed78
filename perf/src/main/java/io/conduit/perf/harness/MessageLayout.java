package io.conduit.perf.harness;

/**
 * Layout of a harness message body, the same for every system; the rest of the body up to the payload size is
 * filler that is copied like the rest.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Send Time (System.nanoTime, ns)               |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                           Sequence                            |
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                       Filler (length - 16)                   ...
 *  +---------------------------------------------------------------+
 * </pre>
 * The send time is the pinging process's clock (or, at a fixed rate, the intended send time); the echo side never
 * reads it, so no clocks are compared across processes.
 */
final class MessageLayout
{
    /** Offset of the send time. */
    static final int SEND_TIME_OFFSET = 0;
    /** Offset of the sequence number. */
    static final int SEQUENCE_OFFSET = SEND_TIME_OFFSET + Long.BYTES;
    /** Shortest body: send time and sequence. */
    static final int MIN_LENGTH = SEQUENCE_OFFSET + Long.BYTES;
    /** Type id used where a system carries one. */
    static final int TYPE_ID = 1;

    private MessageLayout()
    {
    }

    /**
     * @param expected the length of the message sent.
     * @param actual the length of its reply.
     * @param system for the message.
     * @throws IllegalStateException if the reply is not the whole message: every system's echo copies all of it back.
     */
    static void checkLength(final int expected, final int actual, final String system)
    {
        if (expected != actual)
        {
            throw new IllegalStateException(system + ": reply length=" + actual + " expected=" + expected +
                " (the echo must send back the whole message)");
        }
    }

    /**
     * @param expected the sequence that should arrive.
     * @param actual the sequence that arrived.
     * @param system for the message.
     * @throws IllegalStateException on loss, duplication or reordering.
     */
    static void checkSequence(final long expected, final long actual, final String system)
    {
        if (expected != actual)
        {
            throw new IllegalStateException(system + ": sequence=" + actual + " expected=" + expected);
        }
    }
}
