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
        allocateTheHolesOfASparseCopy(dir);
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
            allocateTheHolesOfASparseCopy(shmDir);
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

    private static void allocateTheHolesOfASparseCopy(final Path directory) throws Exception
    {
        assumeTrue(FileSpace.allocate(directory.resolve("absent"), 1) != FileSpace.UNAVAILABLE,
            "fallocate not bound here");
        final long length;
        final ChannelOptions options = ChannelOptions.defaults().capacity(256 * 1024);
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
        final Path copy = ChannelFile.pathOf(directory, "copy");
        writeSparse(copy, bytes);
        final long blocksBefore = allocatedBytes(copy);
        assumeTrue(blocksBefore >= 0, "no stat(1) to count a file's blocks");
        assumeTrue(blocksBefore < length, "this file system does not keep holes: " + blocksBefore + " of " + length);

        try (ChannelFile opened = ChannelFile.open(directory, "copy"))
        {
            final long after = allocatedBytes(copy);
            if (after < length)
            {
                // either this file system cannot allocate on request, or open did not ask it to: ask it here
                final int asked = FileSpace.allocate(copy, length);
                assumeTrue(FileSpace.ALLOCATED == asked && allocatedBytes(copy) >= length,
                    "this file system does not allocate on request");
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
