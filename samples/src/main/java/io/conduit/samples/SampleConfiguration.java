package io.conduit.samples;

import io.conduit.file.ChannelFile;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The knobs of every sample, read from system properties so that each sample runs with no arguments.
 * <table>
 *     <caption>Sample properties</caption>
 *     <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *     <tr><td>conduit.samples.messages</td><td>200000</td><td>measured messages or round trips</td></tr>
 *     <tr><td>conduit.samples.warmup</td><td>50000</td><td>round trips before measuring</td></tr>
 *     <tr><td>conduit.samples.length</td><td>32</td><td>message body length in bytes</td></tr>
 *     <tr><td>conduit.dir</td><td>/dev/shm/conduit-&lt;user.name&gt;</td><td>channel directory</td></tr>
 * </table>
 */
public final class SampleConfiguration
{
    /** Measured messages or round trips. */
    public static final int MESSAGES = Integer.getInteger("conduit.samples.messages", 200_000);
    /** Round trips before measuring. */
    public static final int WARMUP = Integer.getInteger("conduit.samples.warmup", 50_000);
    /** Message body length in bytes. */
    public static final int LENGTH = Integer.getInteger("conduit.samples.length", 32);

    private SampleConfiguration()
    {
    }

    /**
     * @return the channel directory: {@code conduit.dir}, or the platform default.
     */
    public static Path directory()
    {
        final String dir = System.getProperty(ChannelFile.DIR_PROP_NAME);
        return null == dir ? ChannelFile.defaultDirectory() : Paths.get(dir);
    }
}
