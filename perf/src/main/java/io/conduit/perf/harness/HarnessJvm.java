package io.conduit.perf.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * How the harness starts JVMs: one set of flags for parent and child, so both run the same collector and the same
 * module openings, and core pinning with {@code taskset} where it exists.
 */
final class HarnessJvm
{
    /** Set in a parent JVM that the harness has re-launched itself as. */
    static final String RELAUNCHED_PROP_NAME = "conduit.harness.relaunched";

    private HarnessJvm()
    {
    }

    /**
     * @return the JVM flags of every harness JVM: Conduit's export, Chronicle's openings (they change nothing for
     * the other systems), Chronicle's network and banner switched off, and a fixed heap.
     */
    static List<String> flags()
    {
        final List<String> flags = new ArrayList<>(List.of(
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dchronicle.analytics.disable=true",
            "-Dchronicle.announcer.disable=true",
            "-Dslf4j.internal.verbosity=ERROR", // Chronicle logs through SLF4J; with no provider, say nothing
            "-Xms256m", "-Xmx256m"));
        final int feature = Runtime.version().feature();
        if (feature >= 22)
        {
            flags.add("--enable-native-access=ALL-UNNAMED"); // JNA, jffi: no restricted-method warnings
        }
        if (feature >= 23)
        {
            flags.add("--sun-misc-unsafe-memory-access=allow"); // Agrona, Aeron, Chronicle: no deprecation warnings
        }
        return flags;
    }

    /**
     * @return the {@code java} launcher of this JVM.
     */
    static String javaLauncher()
    {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @return the path of {@code taskset}, or null where there is none.
     */
    static String taskset()
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
        {
            final Path candidate = Paths.get(dir, "taskset");
            if (Files.isExecutable(candidate))
            {
                return candidate.toString();
            }
        }
        return null;
    }

    /**
     * @param cpu the core, or -1 for no pinning.
     * @param mainClass class to run.
     * @param properties extra {@code -D} flags.
     * @param args program arguments.
     * @return the command line: {@code taskset -c cpu} when pinning, this JVM's launcher, the flags, the class path.
     */
    static List<String> command(
        final int cpu, final String mainClass, final List<String> properties, final List<String> args)
    {
        final List<String> command = new ArrayList<>();
        final String taskset = taskset();
        if (cpu >= 0 && null != taskset)
        {
            command.add(taskset);
            command.add("-c");
            command.add(String.valueOf(cpu));
        }
        command.add(javaLauncher());
        command.addAll(flags());
        command.addAll(properties);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /**
     * Run the harness again as a parent JVM pinned to the parent core, with the harness flags, and wait for it.
     *
     * @param options parsed options.
     * @param args the original arguments.
     * @return its exit code.
     * @throws IOException if it cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     */
    static int relaunch(final HarnessOptions options, final String[] args) throws IOException, InterruptedException
    {
        final List<String> command = command(
            options.pin ? options.parentCpu : -1,
            Harness.class.getName(),
            List.of("-D" + RELAUNCHED_PROP_NAME + "=true"),
            List.of(args));
        final Process process = new ProcessBuilder(command).inheritIO().start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        return process.waitFor();
    }

    /**
     * @return the cores this process may run on, as the kernel lists them ({@code Cpus_allowed_list}), or
     * {@code "?"} where that cannot be read.
     */
    static String cpusAllowed()
    {
        try
        {
            for (final String line : Files.readAllLines(Paths.get("/proc/self/status")))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux: fall through
        }
        return "?";
    }

    /**
     * @return the 1, 5 and 15 minute load averages, or {@code "?"}.
     */
    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "?";
        }
    }
}
