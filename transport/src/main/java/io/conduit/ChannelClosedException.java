package io.conduit;

/**
 * Thrown by a call on a {@link Channel} that was closed, including a blocking call woken by the close.
 */
public class ChannelClosedException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the channel.
     */
    public ChannelClosedException(final String message)
    {
        super(message);
    }
}
