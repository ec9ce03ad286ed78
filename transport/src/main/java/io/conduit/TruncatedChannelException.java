package io.conduit;

/**
 * Thrown when a channel file turns out shorter than its mapping: truncated by another process after it was mapped,
 * which no check at open can refuse. A page past the new end faults when touched; the JVM reports that as an
 * {@link InternalError}, which {@link Channel} and {@link ChannelSet} replace with this exception, the error as its
 * cause, when it surfaces inside their calls ({@link io.conduit.file.ChannelFile#checkLength()} says it when it does
 * not). The message names the file, its length now and the length mapped. Messages that were in the truncated part
 * are gone with it: a channel in that state cannot be used again, only closed, and created anew.
 */
public class TruncatedChannelException extends CorruptChannelException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the file and both lengths.
     */
    public TruncatedChannelException(final String message)
    {
        super(message);
    }
}
