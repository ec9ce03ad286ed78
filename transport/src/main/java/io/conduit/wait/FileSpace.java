package io.conduit.wait;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Allocates the blocks of a channel file that is already there, through Linux's {@code fallocate(2)} with mode 0,
 * which gives every hole in the range a block of zeros and leaves every byte already written as it is. A file made by
 * {@link io.conduit.file.ChannelFile#create} has its blocks already; one copied sparse ({@code cp} makes one by
 * default) or made by another tool has holes, and on a full file system the first touch of a hole faults (SIGBUS).
 * {@link io.conduit.file.ChannelFile#open} calls this, which turns that fault into an {@link IOException} there,
 * naming the file. Through the package's one binding of libc.
 * <p>
 * Best effort where it cannot ask: not Linux on x86_64 or aarch64, no JNA, or a file system without {@code fallocate}
 * ({@code EOPNOTSUPP}) leave the file as it is. Only a refusal for want of space ({@code ENOSPC}, {@code EDQUOT}) is
 * an error.
 * <p>
 * The file is opened again by its path for the call, since a {@link java.nio.channels.FileChannel} does not give its
 * descriptor: a file put in its place between the two opens gets the blocks instead, and the one mapped keeps its
 * holes.
 * <p>
 * Threading: any thread. Allocates a small native string per call; called at open, never on a hot path.
 */
public final class FileSpace
{
    /** The result of {@link #allocate}: every block of the range is allocated. */
    public static final int ALLOCATED = 0;
    /** The result of {@link #allocate}: nothing was asked of the kernel (see the class comment). */
    public static final int UNAVAILABLE = 1;
    /** The result of {@link #allocate}: the file system, or the kernel, refused for a reason other than space. */
    public static final int REFUSED = 2;

    static final long AT_FDCWD = -100;
    static final long O_RDWR = 2;
    static final long O_CLOEXEC = 0x80000;
    static final int EINTR = 4;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;

    private FileSpace()
    {
    }

    /**
     * Allocate every block of {@code [0, length)} of {@code file}.
     *
     * @param file the channel file, by path.
     * @param length bytes to allocate from the start: the file's length, so that the file never grows here.
     * @return {@link #ALLOCATED}, {@link #UNAVAILABLE} or {@link #REFUSED}.
     * @throws IOException naming the file if the file system has no space for the blocks the file lacks.
     */
    public static int allocate(final Path file, final long length) throws IOException
    {
        if (!LibC.AVAILABLE)
        {
            return UNAVAILABLE;
        }
        // absolute, as Java resolves it: the kernel would resolve a relative path against the process's working
        // directory, which differs from Java's where user.dir is set
        final byte[] name = file.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
        try (Memory path = new Memory(name.length + 1L))
        {
            path.write(0, name, 0, name.length);
            path.setByte(name.length, (byte)0);
            final long fd = LibC.syscall(LibC.SYS_OPENAT, AT_FDCWD, Pointer.nativeValue(path), O_RDWR | O_CLOEXEC, 0,
                0, 0);
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
                    result = LibC.syscall(LibC.SYS_FALLOCATE, fd, 0, 0, length, 0, 0);
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
                LibC.syscall(LibC.SYS_CLOSE, fd, 0, 0, 0, 0, 0);
            }
        }
    }
}
