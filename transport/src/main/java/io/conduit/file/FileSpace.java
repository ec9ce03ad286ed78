package io.conduit.file;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Allocates the blocks of a channel file that is already there, through Linux's {@code fallocate(2)} with mode 0,
 * which gives every hole in the range a block of zeros and leaves every byte already written as it is. A file made by
 * {@link ChannelFile#create} has its blocks already; one copied sparse ({@code cp} makes one by default) or made by
 * another tool has holes, and on a full file system the first touch of a hole faults (SIGBUS). Allocating at open
 * turns that fault into an {@link IOException} there, naming the file.
 * <p>
 * Best effort where it cannot ask: not Linux, an architecture without the system call numbers here, no JNA, or a file
 * system without {@code fallocate} ({@code EOPNOTSUPP}) leave the file as it is, as before. Only a refusal for want of
 * space ({@code ENOSPC}, {@code EDQUOT}) is an error.
 * <p>
 * The file is opened again by its path for the call, since a {@link java.nio.channels.FileChannel} does not give its
 * descriptor: a file put in its place between the two opens gets the blocks instead, and the one mapped keeps its
 * holes.
 * <p>
 * Threading: any thread. Allocates a small native string per call; called at open, never on a hot path.
 */
final class FileSpace
{
    static final long SYS_OPENAT_X86_64 = 257;
    static final long SYS_FALLOCATE_X86_64 = 285;
    static final long SYS_CLOSE_X86_64 = 3;
    static final long SYS_OPENAT_AARCH64 = 56;
    static final long SYS_FALLOCATE_AARCH64 = 47;
    static final long SYS_CLOSE_AARCH64 = 57;

    static final long AT_FDCWD = -100;
    static final long O_RDWR = 2;
    static final long O_CLOEXEC = 0x80000;
    static final int EINTR = 4;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;

    /** The result of {@link #allocate}: every block of the range is allocated. */
    static final int ALLOCATED = 0;
    /** The result of {@link #allocate}: nothing was asked of the kernel here (see the class comment). */
    static final int UNAVAILABLE = 1;
    /** The result of {@link #allocate}: the file system, or the kernel, refused for a reason other than space. */
    static final int REFUSED = 2;

    private static final long SYS_OPENAT;
    private static final long SYS_FALLOCATE;
    private static final long SYS_CLOSE;
    private static final boolean AVAILABLE;

    static
    {
        final String osName = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        final String osArch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        long openat = 0;
        long fallocate = 0;
        long close = 0;
        if (osName.startsWith("linux") && ("amd64".equals(osArch) || "x86_64".equals(osArch)))
        {
            openat = SYS_OPENAT_X86_64;
            fallocate = SYS_FALLOCATE_X86_64;
            close = SYS_CLOSE_X86_64;
        }
        else if (osName.startsWith("linux") && "aarch64".equals(osArch))
        {
            openat = SYS_OPENAT_AARCH64;
            fallocate = SYS_FALLOCATE_AARCH64;
            close = SYS_CLOSE_AARCH64;
        }
        boolean available = false;
        if (0 != openat)
        {
            try
            {
                Native.register(FileSpace.class, NativeLibrary.getInstance("c"));
                available = true;
            }
            catch (final LinkageError | RuntimeException ex)
            {
                available = false; // best effort: the file is left as it is
            }
        }
        SYS_OPENAT = openat;
        SYS_FALLOCATE = fallocate;
        SYS_CLOSE = close;
        AVAILABLE = available;
    }

    private FileSpace()
    {
    }

    /**
     * libc {@code long syscall(long number, ...)}, with fixed arity.
     *
     * @param number the system call number.
     * @param a1 first argument.
     * @param a2 second argument.
     * @param a3 third argument.
     * @param a4 fourth argument.
     * @return the system call's result, or -1 with errno set.
     */
    private static native long syscall(long number, long a1, long a2, long a3, long a4);

    /**
     * Allocate every block of {@code [0, length)} of {@code file}.
     *
     * @param file the channel file, by path.
     * @param length bytes to allocate from the start: the file's length, so that the file never grows here.
     * @return {@link #ALLOCATED}, {@link #UNAVAILABLE} or {@link #REFUSED}.
     * @throws IOException naming the file if the file system has no space for the blocks the file lacks.
     */
    static int allocate(final Path file, final long length) throws IOException
    {
        if (!AVAILABLE)
        {
            return UNAVAILABLE;
        }
        final byte[] name = file.toString().getBytes(StandardCharsets.UTF_8);
        final Memory path = new Memory(name.length + 1L);
        try
        {
            path.write(0, name, 0, name.length);
            path.setByte(name.length, (byte)0);
            final long fd = syscall(SYS_OPENAT, AT_FDCWD, Pointer.nativeValue(path), O_RDWR | O_CLOEXEC, 0);
            if (fd < 0)
            {
                return REFUSED;
            }
            try
            {
                long result;
                int errno;
                do
                {
                    result = syscall(SYS_FALLOCATE, fd, 0, 0, length);
                    errno = result < 0 ? Native.getLastError() : 0;
                }
                while (result < 0 && EINTR == errno);
                if (result < 0 && (ENOSPC == errno || EDQUOT == errno))
                {
                    throw new IOException("no space on the file system for the blocks channel file " + file +
                        " lacks (a sparse copy?): fallocate length=" + length + " errno=" + errno);
                }
                return result < 0 ? REFUSED : ALLOCATED;
            }
            finally
            {
                syscall(SYS_CLOSE, fd, 0, 0, 0);
            }
        }
        finally
        {
            path.close();
        }
    }
}
