package io.conduit.wait;

import com.sun.jna.Native;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.conduit.wait.FutexChildMain.FILE_LENGTH;
import static io.conduit.wait.FutexChildMain.FLAG_OFFSET;
import static io.conduit.wait.FutexChildMain.FUTEX_WORD_OFFSET;
import static io.conduit.wait.FutexChildMain.WAITERS_COUNT_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FutexCrossProcessTest
{
    private static final long CHILD_TIMEOUT_MS = 20_000;

    @TempDir
    Path tempDir;

    @Test
    void shouldWakeWaiterInAnotherProcess() throws IOException, InterruptedException
    {
        final File file = tempDir.resolve("channel.dat").toFile();
        final File log = tempDir.resolve("child.log").toFile();
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, FILE_LENGTH);
        final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
        Process child = null;

        try
        {
            child = new ProcessBuilder(childCommand(file))
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();

            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHILD_TIMEOUT_MS);
            while (0 == buffer.getIntVolatile(WAITERS_COUNT_OFFSET))
            {
                if (!child.isAlive() || System.nanoTime() - deadlineNs > 0)
                {
                    fail("child never announced itself, exit=" + (child.isAlive() ? "running" : child.exitValue()) +
                        "\n" + read(log));
                }
                Thread.sleep(1);
            }

            // Announced is not yet asleep: wait until the child is in futex(2) on the word, so one is woken below.
            final boolean seen = Futex.isNative();
            if (seen)
            {
                KernelSleepers.awaitSleeper(child.pid(),
                    KernelSleepers.mappingAddress(child.pid(), file.toPath()) + FUTEX_WORD_OFFSET,
                    TimeUnit.MILLISECONDS.toNanos(CHILD_TIMEOUT_MS));
            }
            buffer.putIntRelease(FLAG_OFFSET, 1); // release: publishes the flag; pairs with the child's acquire
            final int woken = FutexWaker.signal(buffer, FUTEX_WORD_OFFSET, WAITERS_COUNT_OFFSET);

            assertTrue(
                child.waitFor(CHILD_TIMEOUT_MS, TimeUnit.MILLISECONDS), () -> "child still running\n" + read(log));
            assertEquals(FutexChildMain.EXIT_WOKEN, child.exitValue(), () -> read(log));
            if (seen)
            {
                assertEquals(1, woken, () -> "FUTEX_WAKE should have found the child asleep\n" + read(log));
            }
            assertEquals(0, buffer.getIntVolatile(WAITERS_COUNT_OFFSET));
        }
        finally
        {
            if (null != child && child.isAlive())
            {
                child.destroyForcibly();
            }
            IoUtil.unmap(mapped);
        }
    }

    private static List<String> childCommand(final File file)
    {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-XX:TieredStopAtLevel=1");
        if (Boolean.getBoolean(Futex.DISABLED_PROP_NAME))
        {
            command.add("-D" + Futex.DISABLED_PROP_NAME + "=true");
        }
        command.add("-cp");
        command.add(childClassPath());
        command.add(FutexChildMain.class.getName());
        command.add(file.getAbsolutePath());
        command.add(Long.toString(CHILD_TIMEOUT_MS));

        return command;
    }

    /**
     * The parent's class path, plus the locations of the classes the child needs, in case the parent was started
     * through a launcher jar (IDE, console launcher) whose class path does not name them.
     */
    private static String childClassPath()
    {
        final StringBuilder classPath = new StringBuilder(System.getProperty("java.class.path", ""));
        final Class<?>[] types = { FutexChildMain.class, Futex.class, UnsafeBuffer.class, Native.class };
        for (final Class<?> type : types)
        {
            final CodeSource codeSource = type.getProtectionDomain().getCodeSource();
            if (null != codeSource && null != codeSource.getLocation())
            {
                try
                {
                    classPath.append(File.pathSeparator).append(new File(codeSource.getLocation().toURI()));
                }
                catch (final URISyntaxException ex)
                {
                    throw new IllegalStateException("bad code source: " + codeSource.getLocation(), ex);
                }
            }
        }

        return classPath.toString();
    }

    private static String read(final File log)
    {
        try
        {
            return "child output:\n" + new String(Files.readAllBytes(log.toPath()), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "child output unreadable: " + ex;
        }
    }
}
