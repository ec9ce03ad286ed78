package io.conduit.samples;

import io.conduit.file.ChannelFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The knobs of every sample, read from system properties so that each sample runs with no arguments.
 * <table>
 *     <caption>Sample properties</caption>
 *     <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *     <tr><td>conduit.samples.messages</td><td>200000</td><td>measured messages or round trips</td></tr>
 *     <tr><td>conduit.samples.warmup</td><td>50000</td><td>round trips before measuring</td></tr>
 *     <tr><td>conduit.samples.length</td><td>32</td><td>message body length in bytes</td></tr>
 *     <tr><td>conduit.dir</td><td>{@code /dev/shm/conduit-<user>} where {@code /dev/shm} is a writable directory,
 *     else {@code <java.io.tmpdir>/conduit-<user>}, with {@code <user>} the {@code user.name} property, characters
 *     outside {@code [A-Za-z0-9._-]} as {@code _} ({@link ChannelFile#defaultDirectory()})</td>
 *     <td>channel directory</td></tr>
 * </table>
 */
public final class SampleConfiguration
{
    private static final List<String> ERRORS = new ArrayList<>();

    /** Measured messages or round trips, {@code >= 1}. */
    public static final int MESSAGES = intProperty("conduit.samples.messages", 200_000, 1, Integer.MAX_VALUE / 2);
    /** Round trips before measuring, {@code >= 0}. */
    public static final int WARMUP = intProperty("conduit.samples.warmup", 50_000, 0, Integer.MAX_VALUE / 2);
    /** Message body length in bytes: at least 8, for the sequence number the ping-pong carries. */
    public static final int LENGTH = intProperty("conduit.samples.length", 32, Long.BYTES, 8 * 1024 - 8);

    private SampleConfiguration()
    {
    }

    /**
     * Read an int property strictly: a value that is not a number or is out of range is an error naming the
     * property, never silently the default.
     *
     * @param key the property.
     * @param defaultValue its value when unset.
     * @param min least value allowed.
     * @param max greatest value allowed.
     * @return the value, or the default if it is set to something else than an int in [min, max], which
     * {@link #check()} then reports.
     */
    static int intProperty(final String key, final int defaultValue, final int min, final int max)
    {
        final String text = System.getProperty(key);
        if (null == text)
        {
            return defaultValue;
        }
        final int value;
        try
        {
            value = Integer.parseInt(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            ERRORS.add(key + "=" + text + " expected an integer in [" + min + ", " + max + "]");
            return defaultValue;
        }
        if (value < min || value > max)
        {
            ERRORS.add(key + "=" + value + " expected in [" + min + ", " + max + "]");
            return defaultValue;
        }
        return value;
    }

    /**
     * Refuse bad properties: each sample calls this first.
     *
     * @throws IllegalArgumentException naming every property set to a value out of range or not a number.
     */
    public static void check()
    {
        if (!ERRORS.isEmpty())
        {
            throw new IllegalArgumentException(String.join("; ", ERRORS));
        }
    }

    /**
     * A process that runs another class of a sample in a JVM like this one: this JVM's {@code java}, the
     * {@code --add-exports} Agrona needs, this class path, and every sample property as this process read it, so both
     * processes of a sample run with one configuration.
     *
     * @param mainClass the class whose {@code main} to run.
     * @param args the arguments to pass it.
     * @return the builder of that process, not started.
     */
    public static ProcessBuilder javaProcess(final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            "-Dconduit.samples.messages=" + MESSAGES,
            "-Dconduit.samples.warmup=" + WARMUP,
            "-Dconduit.samples.length=" + LENGTH,
            "-D" + ChannelFile.DIR_PROP_NAME + "=" + directory(),
            mainClass.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * @return the channel directory: {@code conduit.dir}, or the platform default.
     */
    public static Path directory()
    {
        check(); // every sample asks for the directory: none can forget the check
        return ChannelFile.defaultDirectory(); // conduit.dir if set and not empty, as for every other user
    }
}
