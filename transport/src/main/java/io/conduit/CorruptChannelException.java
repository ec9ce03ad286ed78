package io.conduit;

/**
 * Thrown when a channel file or a record in it fails validation: a bad header field, a position out of range, or a
 * record length outside its bounds. The message names the file, the field, the expected and the actual value.
 * <p>
 * Conduit never repairs such a file silently; nothing already consumed is lost.
 */
public class CorruptChannelException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the file, the field and the values.
     */
    public CorruptChannelException(final String message)
    {
        super(message);
    }
}
