package io.conduit.file;

import io.conduit.ring.Ring;
import io.conduit.wait.FileSpace;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A channel file copied sparse (as {@code cp} copies by default) has holes where the original had blocks of zeros;
 * on a full file system the first touch of a hole faults. Opening it gives every hole a block ({@link FileSpace}),
 * and changes no byte: what was sent before the copy is read from it whole and in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SparseChannelFileTest
{
    private static final int MESSAGES = 100;

    @TempDir
    Path dir;

    @Test
    void shouldAllocateTheHolesOfASparseCopyAtOpenAndKeepEveryByte() throws Exception
    {
        allocateTheHolesOfASparseCopy(dir, 256 * 1024);
    }

    /**
     * A file of more than two of {@link FileSpace}'s 16 MiB steps: every step is allocated, the last one short.
     */
    @Test
    void shouldAllocateEveryStepOfALargeSparseCopy() throws Exception
    {
        allocateTheHolesOfASparseCopy(dir, 32 * 1024 * 1024);
    }

    /**
     * Where JNA is missing, {@link FileSpace} cannot ask the kernel: open still opens a sparse copy, changes nothing,
     * and every message in it is read back. Run in a child JVM whose class path lacks JNA.
     */
    @Test
    void shouldOpenASparseCopyAsItIsWhereJnaIsMissing() throws Exception
    {
        final String separator = System.getProperty("path.separator");
        final List<String> classPath = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(separator))
        {
            if (!Path.of(entry).getFileName().toString().startsWith("jna"))
            {
                classPath.add(entry);
            }
        }
        final long length = writeSparseCopy(dir, 256 * 1024);
        final long allocatedBefore = allocatedBytes(ChannelFile.pathOf(dir, "copy"));
        final Path output = dir.resolve("child.out");
        final ProcessBuilder builder = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", String.join(separator, classPath), OpenSparseProcess.class.getName(),
            dir.toString(), "copy", Integer.toString(MESSAGES))
            .redirectErrorStream(true).redirectOutput(output.toFile());
        // options from the environment would put a "Picked up" line of the launcher's in the output
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        final Process child = builder.start();
        try
        {
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not finish");
        }
        finally
        {
            child.destroyForcibly();
        }
        final String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), text);
        final String expected = "READ " + MESSAGES + " of " + MESSAGES + " ALLOCATE " + FileSpace.UNAVAILABLE;
        assertTrue(text.lines().anyMatch(expected::equals), text);
        assertEquals(length, Files.size(ChannelFile.pathOf(dir, "copy")), "the file's length");
        if (allocatedBefore >= 0)
        {
            assertEquals(allocatedBefore, allocatedBytes(ChannelFile.pathOf(dir, "copy")), "allocated bytes");
        }
    }

    /**
     * The same on tmpfs, where channel files live by default ({@code /dev/shm}), where there is one.
     */
    @Test
    void shouldAllocateTheHolesOfASparseCopyOnDevShm() throws Exception
    {
        final Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no writable /dev/shm");
        final Path shmDir = Files.createTempDirectory(shm, "conduit-sparse-test");
        try
        {
            allocateTheHolesOfASparseCopy(shmDir, 256 * 1024);
        }
        finally
        {
            try (java.util.stream.Stream<Path> files = Files.list(shmDir))
            {
                for (final Path file : (Iterable<Path>)files::iterator)
                {
                    Files.delete(file);
                }
            }
            Files.delete(shmDir);
        }
    }

    private static void allocateTheHolesOfASparseCopy(final Path directory, final int capacity) throws Exception
    {
        assumeTrue(FileSpace.allocate(directory.resolve("absent"), 1) != FileSpace.UNAVAILABLE,
            "fallocate not bound here");
        final long length = writeSparseCopy(directory, capacity);
        final Path copy = ChannelFile.pathOf(directory, "copy");
        final long blocksBefore = allocatedBytes(copy);
        assumeTrue(blocksBefore >= 0, "no stat(1) to count a file's blocks");
        assumeTrue(blocksBefore < length, "this file system does not keep holes: " + blocksBefore + " of " + length);

        try (ChannelFile opened = ChannelFile.open(directory, "copy"))
        {
            final long after = allocatedBytes(copy);
            if (after < length)
            {
                // either this file system cannot allocate on request, or open did not ask it to: ask it about a
                // small file of its own, less than one of FileSpace's steps, so a step that open skipped fails here
                assumeTrue(allocatesOnRequest(directory), "this file system does not allocate on request");
                fail("open left holes: " + after + " bytes allocated of " + length + ", where the file system " +
                    "allocates on request");
            }
            assertEquals(length, Files.size(copy), "the file's length");

            final List<long[]> read = new ArrayList<>();
            opened.ring().read((typeId, buffer, offset, messageLength) ->
                read.add(new long[]{buffer.getLong(offset), buffer.getLong(offset + 8)}), Integer.MAX_VALUE);
            assertEquals(MESSAGES, read.size());
            for (int i = 0; i < MESSAGES; i++)
            {
                assertArrayEquals(new long[]{i, ~i}, read.get(i), "message " + i);
            }
        }
    }

    @Test
    void shouldLeaveAFileThatHasEveryBlockAsItIs() throws Exception
    {
        try (ChannelFile created = ChannelFile.create(dir, "whole", ChannelOptions.defaults().capacity(64 * 1024)))
        {
            final byte[] before = Files.readAllBytes(created.path());
            final int result = FileSpace.allocate(created.path(), before.length);

            assertTrue(FileSpace.ALLOCATED == result || FileSpace.UNAVAILABLE == result, "result=" + result);
            assertArrayEquals(before, Files.readAllBytes(created.path()));
            assertEquals(before.length, Files.size(created.path()));
        }
    }

    /**
     * @return whether {@link FileSpace} gets this file system to allocate the hole of a small sparse file.
     */
    private static boolean allocatesOnRequest(final Path directory) throws IOException, InterruptedException
    {
        final Path probe = directory.resolve("probe");
        final int length = 64 * 1024;
        try (RandomAccessFile out = new RandomAccessFile(probe.toFile(), "rw"))
        {
            out.setLength(length);
            out.write(1); // the first block written, the rest a hole
        }
        try
        {
            return FileSpace.ALLOCATED == FileSpace.allocate(probe, length) && allocatedBytes(probe) >= length;
        }
        finally
        {
            Files.delete(probe);
        }
    }

    /**
     * Create a channel of {@code capacity} in {@code directory} holding {@link #MESSAGES} messages, {@code i} and
     * {@code ~i}, and write a sparse copy of it, named {@code copy}.
     *
     * @return the copy's length.
     */
    private static long writeSparseCopy(final Path directory, final int capacity) throws IOException
    {
        final long length;
        final ChannelOptions options = ChannelOptions.defaults().capacity(capacity);
        try (ChannelFile original = ChannelFile.create(directory, "original", options))
        {
            final Ring ring = original.ring();
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(16));
            for (int i = 0; i < MESSAGES; i++)
            {
                message.putLong(0, i);
                message.putLong(8, ~i);
                assertTrue(ring.offer(1, message, 0, 16));
            }
            length = Files.size(original.path());
        }
        final byte[] bytes = Files.readAllBytes(ChannelFile.pathOf(directory, "original"));
        writeSparse(ChannelFile.pathOf(directory, "copy"), bytes);
        return length;
    }

    /**
     * Write only the 4 KiB blocks of {@code bytes} that hold a byte other than 0, after setting the length: the rest
     * are holes, as {@code cp --sparse=always} would leave them.
     */
    private static void writeSparse(final Path file, final byte[] bytes) throws IOException
    {
        final int block = 4096;
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw"))
        {
            out.setLength(bytes.length);
            for (int start = 0; start < bytes.length; start += block)
            {
                final int end = Math.min(bytes.length, start + block);
                boolean zeros = true;
                for (int i = start; i < end && zeros; i++)
                {
                    zeros = 0 == bytes[i];
                }
                if (!zeros)
                {
                    out.seek(start);
                    out.write(bytes, start, end - start);
                }
            }
        }
    }

    /**
     * @return the bytes the file system has allocated to {@code file}, from {@code stat -c '%b %B'}, or -1 if there is
     * no {@code stat} to ask.
     */
    private static long allocatedBytes(final Path file) throws InterruptedException
    {
        try
        {
            final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString())
                .redirectErrorStream(true).start();
            final String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (0 != stat.waitFor())
            {
                return -1;
            }
            final String[] fields = out.split(" ");
            return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
