package io.conduit.wait;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * Allocates the missing blocks of a channel file that is already there, through Linux's {@code fallocate(2)} with
 * {@code FALLOC_FL_KEEP_SIZE}, which gives every hole in the range a block of zeros, leaves every byte already written
 * as it is, and never changes the file's size. A file made by {@link io.conduit.file.ChannelFile#create} has its
 * blocks already; one copied sparse ({@code cp} makes one by default) or made by another tool has holes, and on a
 * full file system the first touch of a hole faults (SIGBUS). {@link io.conduit.file.ChannelFile#open} calls this,
 * which turns that fault into an {@link IOException} there, naming the file. Through the package's one binding of
 * libc.
 * <p>
 * A file with no hole (found with {@code lseek(SEEK_HOLE)}) is left alone, with no {@code fallocate} at all: the
 * common case costs three system calls more than an open, and a file system that reserves space for the whole range
 * before it looks at what is allocated never refuses a whole file. Holes are filled 16 MiB at a time, each chunk tried
 * a few times if a signal interrupts it.
 * <p>
 * Best effort where it cannot ask: not Linux on x86_64 or aarch64, no JNA, or a file system without
 * {@code fallocate} or {@code SEEK_HOLE} leave the file as it is. Only a refusal for want of space ({@code ENOSPC},
 * {@code EDQUOT}) is an error.
 * <p>
 * The file is opened again by its path for the calls, since a {@link java.nio.channels.FileChannel} does not give
 * its descriptor: a file put in its place between the two opens gets the blocks instead (its size unchanged), and the
 * one mapped keeps its holes.
 * <p>
 * Threading: any thread. Allocates a small native string per call; called at open, never on a hot path.
 */
public final class FileSpace
{
    /** The result of {@link #allocate}: the range has no hole left (or had none). */
    public static final int ALLOCATED = 0;
    /** The result of {@link #allocate}: nothing was asked of the kernel (see the class comment). */
    public static final int UNAVAILABLE = 1;
    /** The result of {@link #allocate}: the file system, or the kernel, refused for a reason other than space. */
    public static final int REFUSED = 2;

    static final long AT_FDCWD = -100;
    static final long O_RDWR = 2;
    static final long O_CLOEXEC = 0x80000;
    static final long SEEK_HOLE = 4;
    static final long FALLOC_FL_KEEP_SIZE = 1;
    static final long CHUNK = 16L * 1024 * 1024;
    static final int ATTEMPTS = 8;
    static final int EINTR = 4;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;

    private FileSpace()
    {
    }

    /**
     * Allocate every missing block of {@code [0, length)} of {@code file}.
     *
     * @param file the channel file, by path.
     * @param length bytes from the start: the file's length.
     * @return {@link #ALLOCATED}, {@link #UNAVAILABLE} or {@link #REFUSED}.
     * @throws IOException naming the file if the file system has no space for the blocks the file lacks.
     */
    public static int allocate(final Path file, final long length) throws IOException
    {
        if (!LibC.AVAILABLE)
        {
            return UNAVAILABLE;
        }
        try
        {
            return Calls.allocate(file, length);
        }
        catch (final LinkageError ex)
        {
            return UNAVAILABLE; // JNA's classes missing after all: the file is left as it is
        }
    }

    /**
     * The calls, in a class of their own so that JNA's classes are loaded only where libc is bound.
     */
    private static final class Calls
    {
        static int allocate(final Path file, final long length) throws IOException
        {
            // absolute, as Java resolves it (the kernel would resolve a relative path against the process's working
            // directory), in the encoding Java gives the kernel its paths in
            final byte[] name = file.toAbsolutePath().toString().getBytes(pathEncoding());
            try (Memory path = new Memory(name.length + 1L))
            {
                path.write(0, name, 0, name.length);
                path.setByte(name.length, (byte)0);
                final long fd = LibC.syscall(LibC.SYS_OPENAT, AT_FDCWD, Pointer.nativeValue(path), O_RDWR | O_CLOEXEC,
                    0, 0, 0);
                if (fd < 0)
                {
                    return REFUSED;
                }
                try
                {
                    return fill(file, fd, length);
                }
                finally
                {
                    LibC.syscall(LibC.SYS_CLOSE, fd, 0, 0, 0, 0, 0);
                }
            }
        }

        private static int fill(final Path file, final long fd, final long length) throws IOException
        {
            final long hole = LibC.syscall(LibC.SYS_LSEEK, fd, 0, SEEK_HOLE, 0, 0, 0);
            if (hole < 0)
            {
                return REFUSED;
            }
            if (hole >= length)
            {
                return ALLOCATED; // no hole: nothing to ask
            }
            for (long offset = hole - hole % CHUNK; offset < length; offset += CHUNK)
            {
                final long chunk = Math.min(CHUNK, length - offset);
                long result = -1;
                int errno = EINTR;
                for (int attempt = 0; attempt < ATTEMPTS && result < 0 && EINTR == errno; attempt++)
                {
                    result = LibC.syscall(LibC.SYS_FALLOCATE, fd, FALLOC_FL_KEEP_SIZE, offset, chunk, 0, 0);
                    errno = result < 0 ? Native.getLastError() : 0;
                }
                if (result < 0)
                {
                    if (ENOSPC == errno || EDQUOT == errno)
                    {
                        throw new IOException("no space on the file system for the blocks channel file " + file +
                            " lacks (a sparse copy?): fallocate offset=" + offset + " length=" + chunk + " errno=" +
                            errno);
                    }
                    return REFUSED;
                }
            }
            return ALLOCATED;
        }

        private static Charset pathEncoding()
        {
            try
            {
                return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
            }
            catch (final RuntimeException ex)
            {
                return Charset.defaultCharset();
            }
        }
    }
}
