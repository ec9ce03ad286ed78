package io.conduit.file;

/**
 * For tests in other packages: how many channel files this process has open, as {@link ChannelFile} counts them to
 * tell when the last one closes.
 */
public final class OpenChannelFiles
{
    private OpenChannelFiles()
    {
    }

    /**
     * @return channel files returned by open or create and not yet closed, in this process.
     */
    public static int count()
    {
        return ChannelFile.openFiles();
    }
}
