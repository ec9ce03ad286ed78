package io.conduit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child JVM on this JVM's class path, for the cross-process tests.
 */
public final class TestJvm
{
    private TestJvm()
    {
    }

    /**
     * Start {@code mainClass} in a new JVM with this JVM's class path and the module export Agrona needs, its output
     * and errors to {@code log}.
     *
     * @param mainClass  class with a {@code main}.
     * @param log        file for the child's output.
     * @param jvmOptions options put before the class, such as {@code -Dkey=value}.
     * @param args       the child's arguments.
     * @return the started process.
     * @throws IOException if it cannot be started.
     */
    public static Process start(
        final Class<?> mainClass, final Path log, final String[] jvmOptions, final String... args) throws IOException
    {
        return start(List.of(), System.getProperty("java.class.path"), mainClass, log, jvmOptions, args);
    }

    /**
     * As {@link #start(Class, Path, String[], String...)}, on the given class path, after {@code prefix}: a command
     * that runs the rest (such as {@code unshare}), or nothing.
     *
     * @param prefix     the command's words before the JVM's launcher.
     * @param classPath  the child's class path.
     * @param mainClass  class with a {@code main}.
     * @param log        file for the child's output.
     * @param jvmOptions options put before the class, such as {@code -Dkey=value}.
     * @param args       the child's arguments.
     * @return the started process.
     * @throws IOException if it cannot be started.
     */
    public static Process start(
        final List<String> prefix,
        final String classPath,
        final Class<?> mainClass,
        final Path log,
        final String[] jvmOptions,
        final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", classPath));
        final int feature = Runtime.version().feature();
        if (feature >= 22)
        {
            command.add("--enable-native-access=ALL-UNNAMED"); // JNA: no restricted-method warnings in the log
        }
        if (feature >= 23)
        {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Agrona: no deprecation warnings in the log
        }
        command.addAll(List.of(jvmOptions));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
        // options from the environment would put a "Picked up" line of the launcher's in the log
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        return builder.start();
    }
}
