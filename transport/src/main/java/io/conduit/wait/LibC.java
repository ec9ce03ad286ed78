package io.conduit.wait;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.File;
import java.util.Locale;

/**
 * The two libc functions this package calls (the system calls of {@link Futex}, {@link FutexWaitSet},
 * {@link AsymmetricFence} and {@link FileSpace} go through the first), bound by JNA direct mapping
 * ({@code Native.register}) so a call costs about half of an interface-mapped call and allocates nothing.
 * <p>
 * Direct mapping does not support varargs, so the variadic {@code long syscall(long number, ...)} is declared with a
 * fixed arity of seven {@code long}s. On Linux x86_64 and aarch64 a variadic callee receives integer arguments in the
 * same registers (and the seventh on the stack) as a fixed-arity one, and glibc's {@code syscall} is an assembly stub
 * that reads all six argument registers as 64-bit values, so every argument is passed as a {@code long}.
 * <p>
 * errno is not turned into a {@code LastErrorException} (that would allocate an exception on every timeout): JNA
 * records errno after every call and {@link Native#getLastError()} reads it; it is only meaningful when the call
 * returned -1.
 * <p>
 * Loading never throws: on an unsupported platform, or when JNA or its native stub cannot be loaded, {@link #AVAILABLE}
 * is false and {@link #UNAVAILABLE_REASON} says why. The natives must not be called then.
 * <p>
 * Threading: all methods may be called from any thread.
 */
final class LibC
{
    /**
     * {@code SYS_futex} on x86_64.
     */
    static final long SYS_FUTEX_X86_64 = 202;

    /**
     * {@code SYS_futex} on aarch64 (the asm-generic table).
     */
    static final long SYS_FUTEX_AARCH64 = 98;

    /** membarrier(2) on x86_64. */
    static final long SYS_MEMBARRIER_X86_64 = 324;

    /** membarrier(2) on aarch64. */
    static final long SYS_MEMBARRIER_AARCH64 = 283;

    /** openat(2), fallocate(2), lseek(2) and close(2) on x86_64. */
    static final long SYS_LSEEK_X86_64 = 8;
    static final long SYS_OPENAT_X86_64 = 257;
    static final long SYS_FALLOCATE_X86_64 = 285;
    static final long SYS_CLOSE_X86_64 = 3;

    /** openat(2), fallocate(2), lseek(2) and close(2) on aarch64. */
    static final long SYS_LSEEK_AARCH64 = 62;
    static final long SYS_OPENAT_AARCH64 = 56;
    static final long SYS_FALLOCATE_AARCH64 = 47;
    static final long SYS_CLOSE_AARCH64 = 57;

    /**
     * {@code CLOCK_PROCESS_CPUTIME_ID} on Linux.
     */
    static final int CLOCK_PROCESS_CPUTIME_ID = 2;

    /**
     * {@code CLOCK_THREAD_CPUTIME_ID} on Linux.
     */
    static final int CLOCK_THREAD_CPUTIME_ID = 3;

    /**
     * Length in bytes of {@code struct timespec} on 64-bit Linux: {@code tv_sec} and {@code tv_nsec}, both 64-bit.
     */
    static final int TIMESPEC_LENGTH = 16;

    /**
     * Offset of {@code tv_nsec} in {@code struct timespec} on 64-bit Linux.
     */
    static final int TIMESPEC_NSEC_OFFSET = 8;

    /**
     * The {@code SYS_futex} number of this platform, or 0 when {@link #AVAILABLE} is false.
     */
    static final long SYS_FUTEX;

    /** membarrier(2) syscall number for this architecture, or 0 if unavailable. */
    static final long SYS_MEMBARRIER;

    /** openat(2), fallocate(2), lseek(2) and close(2) for this architecture, or 0 if unavailable. */
    static final long SYS_LSEEK;
    static final long SYS_OPENAT;
    static final long SYS_FALLOCATE;
    static final long SYS_CLOSE;

    /**
     * True when the natives below are bound and may be called.
     */
    static final boolean AVAILABLE;

    /**
     * Why the natives are not bound, or null when {@link #AVAILABLE} is true.
     */
    static final String UNAVAILABLE_REASON;

    static
    {
        final String osName = System.getProperty("os.name", "");
        final String osArch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        long sysFutex = 0;
        String reason = null;

        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux"))
        {
            reason = "not Linux: os.name=" + osName;
        }
        else if ("amd64".equals(osArch) || "x86_64".equals(osArch))
        {
            sysFutex = SYS_FUTEX_X86_64;
        }
        else if ("aarch64".equals(osArch))
        {
            sysFutex = SYS_FUTEX_AARCH64;
        }
        else
        {
            reason = "unsupported architecture: os.arch=" + osArch;
        }

        if (null == reason)
        {
            try
            {
                configureJnaTempDir();
                Native.register(LibC.class, NativeLibrary.getInstance("c"));
            }
            catch (final LinkageError | RuntimeException ex)
            {
                reason = "JNA could not bind libc: " + ex;
            }
        }

        AVAILABLE = null == reason;
        SYS_FUTEX = AVAILABLE ? sysFutex : 0;
        final boolean x86 = SYS_FUTEX_X86_64 == sysFutex;
        SYS_MEMBARRIER = !AVAILABLE ? 0 : (x86 ? SYS_MEMBARRIER_X86_64 : SYS_MEMBARRIER_AARCH64);
        SYS_LSEEK = !AVAILABLE ? 0 : (x86 ? SYS_LSEEK_X86_64 : SYS_LSEEK_AARCH64);
        SYS_OPENAT = !AVAILABLE ? 0 : (x86 ? SYS_OPENAT_X86_64 : SYS_OPENAT_AARCH64);
        SYS_FALLOCATE = !AVAILABLE ? 0 : (x86 ? SYS_FALLOCATE_X86_64 : SYS_FALLOCATE_AARCH64);
        SYS_CLOSE = !AVAILABLE ? 0 : (x86 ? SYS_CLOSE_X86_64 : SYS_CLOSE_AARCH64);
        UNAVAILABLE_REASON = reason;
    }

    private LibC()
    {
    }

    /**
     * libc {@code long syscall(long number, ...)}, declared with fixed arity (see the class comment).
     *
     * @param number the system call number.
     * @param a1 first argument.
     * @param a2 second argument.
     * @param a3 third argument.
     * @param a4 fourth argument.
     * @param a5 fifth argument.
     * @param a6 sixth argument.
     * @return the system call's result, or -1 with errno set.
     */
    static native long syscall(
        final long number, final long a1, final long a2, final long a3, final long a4, final long a5, final long a6);

    /**
     * libc {@code int clock_gettime(clockid_t clockId, struct timespec *tp)}. The Java name must equal the symbol
     * name for direct mapping.
     *
     * @param clockId the clock id.
     * @param timespecAddress address of 16 writable bytes.
     * @return 0, or -1 with errno set.
     */
    static native int clock_gettime(final int clockId, final long timespecAddress);

    /**
     * JNA unpacks its native stub into {@code $XDG_CACHE_HOME/JNA/temp} or {@code ~/.cache/JNA/temp} unless
     * {@code jna.tmpdir} is set. Where that directory cannot be created or written (read-only home, a service user
     * without one) point {@code jna.tmpdir} at {@code java.io.tmpdir}. JNA 5.19 does the same by itself; doing it here
     * keeps the behaviour explicit and independent of the JNA version. A {@code jna.tmpdir} the user set is never
     * changed.
     */
    static void configureJnaTempDir()
    {
        if (null != System.getProperty("jna.tmpdir"))
        {
            return;
        }

        final String xdgCacheHome = System.getenv("XDG_CACHE_HOME");
        final File cacheDir = null == xdgCacheHome || xdgCacheHome.trim().isEmpty() ?
            new File(System.getProperty("user.home", ""), ".cache") : new File(xdgCacheHome);
        final File jnaDir = new File(cacheDir, "JNA" + File.separator + "temp");

        boolean usable;
        try
        {
            usable = (jnaDir.isDirectory() || jnaDir.mkdirs()) && jnaDir.canWrite();
        }
        catch (final SecurityException ex)
        {
            usable = false;
        }

        if (!usable)
        {
            final String tmpDir = System.getProperty("java.io.tmpdir");
            if (null != tmpDir)
            {
                System.setProperty("jna.tmpdir", tmpDir);
            }
        }
    }
}
