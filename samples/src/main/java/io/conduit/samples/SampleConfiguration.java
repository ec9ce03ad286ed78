package io.conduit.samples;

import io.conduit.file.ChannelFile;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
 *     <tr><td>conduit.samples.launcher</td><td>none</td><td>set by {@link #javaProcess} for the process it starts:
 *     the pid and start instant of the process that started it ({@link #launcher()})</td></tr>
 * </table>
 */
public final class SampleConfiguration
{
    /** The process that started this one: {@code <pid> <start instant>}, set by {@link #javaProcess}. */
    public static final String LAUNCHER_PROP_NAME = "conduit.samples.launcher";

    private static final List<String> ERRORS = new ArrayList<>();

    /** Measured messages or round trips, {@code >= 1}. */
    public static final int MESSAGES = intProperty("conduit.samples.messages", 200_000, 1, Integer.MAX_VALUE / 2);
    /** Round trips before measuring, {@code >= 1}: the first waits for the pong process to start. */
    public static final int WARMUP = intProperty("conduit.samples.warmup", 50_000, 1, Integer.MAX_VALUE / 2);
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
     * processes of a sample run with one configuration; and this process's pid and start instant, so that the process
     * started can watch this very one ({@link #launcher()}).
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
            "-D" + LAUNCHER_PROP_NAME + "=" + ProcessHandle.current().pid() + " " +
                ProcessHandle.current().info().startInstant().map(Instant::toString).orElse("-"),
            mainClass.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /**
     * The process that started this one with {@link #javaProcess}: that very process, found by its pid and checked
     * by its start instant, so neither a process that got its pid since nor (as {@link ProcessHandle#parent()} gives
     * once the launcher has died) the reaper that adopted this one. A process started otherwise gets its parent.
     *
     * @return the launcher's handle, which stays false to {@link ProcessHandle#isAlive()} once it is gone.
     * @throws IllegalStateException if the launcher is gone already, or this process has no parent.
     */
    public static ProcessHandle launcher()
    {
        final String launcher = System.getProperty(LAUNCHER_PROP_NAME);
        if (null == launcher)
        {
            return ProcessHandle.current().parent().orElseThrow(
                () -> new IllegalStateException("no parent process: " + LAUNCHER_PROP_NAME + " is not set either"));
        }
        final String[] fields = launcher.trim().split(" ");
        final Optional<Instant> started = "-".equals(fields[fields.length - 1]) ?
            Optional.empty() : Optional.of(Instant.parse(fields[fields.length - 1]));
        return ProcessHandle.of(Long.parseLong(fields[0]))
            .filter((handle) -> started.isEmpty() || started.equals(handle.info().startInstant()))
            .orElseThrow(() -> new IllegalStateException("the launching process " + LAUNCHER_PROP_NAME + "=" +
                launcher + " is gone already"));
    }

    /**
     * Delete a file the caller is about to create exclusively when this JVM exits, unless the file is there already:
     * then it is another run's, which the exclusive create refuses, and which exit must not delete. Registered before
     * the create, where a sample creates its files in a try-with-resources header (the ping-pong's quick start); only
     * a file another process makes between this check and the create is still deleted, and the ping-pong's names
     * carry its pid and 64 random bits.
     *
     * @param path the file to be created.
     */
    public static void deleteOnExitIfNew(final Path path)
    {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            path.toFile().deleteOnExit();
        }
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
