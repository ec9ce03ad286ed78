package io.conduit.file;

import io.conduit.CorruptChannelException;
import io.conduit.TruncatedChannelException;
import io.conduit.ring.MpscRing;
import io.conduit.ring.ProcessIdentity;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import io.conduit.ring.SpscRing;
import io.conduit.wait.FileSpace;
import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.conduit.file.ChannelFileDescriptor.*;

/**
 * A channel file: a header and a ring, mapped shared into every process that opens it.
 * <p>
 * Creation is atomic: the file is built and fully allocated under a temporary name, its header is written with the
 * magic word last, and only then is it linked under its real name, so no process ever maps a half-built file. Opening
 * checks every header field and refuses a bad file with a {@link CorruptChannelException} naming the file and the
 * field; it never zeroes or rewrites what is already there. Its length and its mapping come from one open file, so a
 * file put in its place meanwhile is never measured for one and mapped for the other. One thing no check at open can
 * catch: a file truncated by another process after it is mapped. A page past the new end then faults when touched
 * (SIGBUS), which the JVM raises as an {@link InternalError}; {@link #checkLength()} tells that cause apart, through
 * the file descriptor this object keeps open until {@link #close()}, and {@link #close()} touches nothing of a file
 * truncated below its header (docs/LAYOUT.md, "A file truncated under its mapping", for where the error surfaces, and
 * the compare-and-sets JDK 17 does not survive on such a file). Keep channel files out of reach of anything that
 * truncates them. A file copied sparse ({@code cp} makes one by default) or made by another tool has its missing blocks
 * allocated when it is opened, on Linux (x86_64, aarch64) where the file system has {@code fallocate}: a full file
 * system is then an {@link IOException} from open, naming the file, rather than a fault at the first touch of a hole.
 * Elsewhere such a file still faults that way on a full file system.
 * <p>
 * Threading: open, create and delete are safe from any thread and process. An interrupt does not break open or
 * create (a file channel would be closed by it): the flag, set before or during the call, is set again when it
 * returns. {@link #close()} unmaps the file: call it only once no thread uses the rings or buffers obtained from this
 * object.
 */
public final class ChannelFile implements AutoCloseable
{
    /** File name suffix of channel files. */
    public static final String SUFFIX = ".conduit";
    /** System property naming the default channel directory. */
    public static final String DIR_PROP_NAME = "conduit.dir";
    /** Attempts {@link #openOrCreate} makes while other processes create and delete the same channel file. */
    public static final int OPEN_OR_CREATE_ATTEMPTS = 64;
    /** Tries of a step of open or create that interrupts from another thread keep breaking, before it gives up. */
    static final int INTERRUPTED_ATTEMPTS = 16;

    private static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final int ZERO_CHUNK_LENGTH = 64 * 1024;
    private static final AfterLook NO_INTERFERENCE = (attempt, found) -> { };
    private static final Runnable NOTHING_AFTER_LINK = () -> { };
    // channel files open in this process: counted up by open as it returns one, down by that file's first close.
    // The close that brings it to 0 closes the /proc files ProcessIdentity keeps for look-ups (a process with no
    // channel open keeps none); a close that leaves another open leaves them, so that one's look-ups stay free
    private static final AtomicInteger OPEN_FILES = new AtomicInteger();

    private final Path path;
    // the file mapped, open until close: checkLength measures it, whatever is under the path by then
    private final FileChannel fileChannel;
    // device and inode of the mapped file (null where the file system gives none): for a channel an interrupt closed
    private final Object fileKey;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer headerBuffer;
    private final UnsafeBuffer ringBuffer;
    private final RingKind kind;
    private final int capacity;
    private final int maxMessageLength;
    private final long stuckClaimTimeoutNs;
    private final long creationTimeMs;
    private Ring ring;
    private boolean closed;
    // set by close just before it closes the descriptor: a descriptor closed before that was closed by an interrupt
    private volatile boolean descriptorReleased;

    private ChannelFile(
        final Path path,
        final MappedByteBuffer mapped,
        final CheckedHeader checked,
        final FileChannel fileChannel,
        final Object fileKey)
    {
        // the values checkHeader checked, not loaded again: another process may write the header meanwhile
        this.path = path;
        this.mapped = mapped;
        this.fileChannel = fileChannel;
        this.fileKey = fileKey;
        this.headerBuffer = new UnsafeBuffer(mapped, 0, FILE_HEADER_LENGTH);
        this.kind = checked.kind();
        this.capacity = checked.capacity();
        this.maxMessageLength = checked.maxMessageLength();
        this.stuckClaimTimeoutNs = checked.stuckClaimTimeoutNs();
        this.ringBuffer = new UnsafeBuffer(mapped, FILE_HEADER_LENGTH, capacity);
        // read once, here: after close the header is unmapped, and a load there would crash the JVM
        this.creationTimeMs = headerBuffer.getLongVolatile(CREATION_TIME_OFFSET);
    }

    /**
     * The descriptor fields {@link #checkHeader} checked, as it read them.
     */
    record CheckedHeader(RingKind kind, int capacity, int maxMessageLength, long stuckClaimTimeoutNs)
    {
    }

    /**
     * @return the default channel directory: {@code conduit.dir} if set, else {@code conduit-<user>} (the
     * {@code user.name} property, characters outside {@code [A-Za-z0-9._-]} as {@code _}) in {@code /dev/shm} where
     * that is a writable directory, else in the system temp directory: one directory per user, as Aeron's
     * {@code aeron-<user>}, rather than one that every user's channels share. It is created with the process's
     * umask and its owner is not checked: on a machine shared with untrusted users, name a directory of your own.
     */
    public static Path defaultDirectory()
    {
        final String configured = System.getProperty(DIR_PROP_NAME);
        if (null != configured && !configured.isEmpty())
        {
            return Paths.get(configured);
        }
        final String user = System.getProperty("user.name", "").replaceAll("[^A-Za-z0-9._-]", "_");
        final String name = user.isEmpty() ? "conduit" : "conduit-" + user;
        final Path shm = Paths.get("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm))
        {
            return shm.resolve(name);
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), name);
    }

    /**
     * @param directory channel directory.
     * @param name channel name.
     * @return the path of that channel's file.
     * @throws IllegalArgumentException if the name is not 1 to 128 of {@code [A-Za-z0-9._-]} starting with a
     * letter, digit or underscore.
     */
    public static Path pathOf(final Path directory, final String name)
    {
        checkName(name);
        return directory.resolve(name + SUFFIX);
    }

    /**
     * Create a new channel file; fails if one of that name exists.
     *
     * @param directory channel directory, created if missing.
     * @param name channel name.
     * @param options kind, capacity, max message length, permissions, stuck claim timeout; unset ones default.
     * @return the mapped channel file: the one this call built, even if another process deletes or replaces it under
     * its name before this call returns.
     * @throws FileAlreadyExistsException if the channel exists.
     * @throws IOException if the file cannot be built, for example because the file system is full.
     */
    public static ChannelFile create(final Path directory, final String name, final ChannelOptions options)
        throws IOException
    {
        return create(directory, name, options, NOTHING_AFTER_LINK);
    }

    /**
     * As {@link #create(Path, String, ChannelOptions)}, with {@code afterLink} run once the file is under its name,
     * before it is opened: for tests, to delete or replace it there, as another process could.
     */
    static ChannelFile create(
        final Path directory, final String name, final ChannelOptions options, final Runnable afterLink)
        throws IOException
    {
        final Path path = pathOf(directory, name);
        final int capacity = options.capacityOrDefault();
        checkCapacity(capacity);
        final int maxMessageLength = options.maxMessageLengthOrDefault();
        checkMaxMessageLength(maxMessageLength, capacity);
        Files.createDirectories(directory);

        final long fileLength = fileLength(capacity);
        removeDeadCreatorsTemps(directory, name);
        // owner-only from the first instant (umask can only take bits away), widened below if asked; a fresh name
        // that no other creator, and no temp left by a killed one, can hold, and the only file deleted below. The
        // creator's pid is in the name, so a temp left by a creator killed meanwhile (SIGKILL, the OOM killer, in the
        // middle of allocating a large file) can be told and removed by the next create or delete of the channel
        final Path temp = createOwnerOnlyTemp(directory, tempPrefix(name) + ProcessHandle.current().pid() + "-");
        ChannelFile built = null;
        try
        {
            final PosixFileAttributeView posix = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            if (null != posix)
            {
                posix.setPermissions(options.permissionsOrDefault()); // not subject to umask, unlike createFile
            }
            withoutInterrupts(() ->
            {
                allocate(temp, fileLength, path);
                return null;
            });
            final MappedByteBuffer mapped = withoutInterrupts(() -> map(temp, fileLength));
            try
            {
                writeHeader(new UnsafeBuffer(mapped, 0, FILE_HEADER_LENGTH), options, capacity, maxMessageLength);
                link(temp, path);
            }
            finally
            {
                IoUtil.unmap(mapped);
            }
            final Object builtKey = fileKey(temp);
            afterLink.run();
            built = openBuilt(temp, path, name, options, builtKey);
        }
        finally
        {
            deleteTemp(temp, path, built);
        }
        return built;
    }

    /**
     * Remove the temp name, whatever happened; if that fails after the channel was made and opened, close what was
     * opened (its mapping and descriptor would leak otherwise) and say that the channel exists: left behind, the temp
     * link would keep the file's blocks after the channel is deleted.
     */
    private static void deleteTemp(final Path temp, final Path path, final ChannelFile built) throws IOException
    {
        try
        {
            Files.deleteIfExists(temp);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null == built)
            {
                throw ex;
            }
            built.close();
            throw new IOException("channel file " + path + " was created, but its temp link " + temp +
                " could not be removed (it keeps the file's blocks until it is): " + ex, ex);
        }
    }

    /**
     * Open the file create just built and linked: by the channel's name, so that the descriptor and the mapping carry
     * it (in {@code /proc/<pid>/fd} and {@code maps}, for tools that look there), if the name still holds that file
     * (same device and inode before the open and after the mapping); else, if another process deleted it or put
     * another file there meanwhile, through the temp link, which holds the built file whatever the name holds.
     */
    private static ChannelFile openBuilt(
        final Path temp, final Path path, final String name, final ChannelOptions options, final Object builtKey)
        throws IOException
    {
        if (null != builtKey)
        {
            ChannelFile byName = null;
            try
            {
                byName = withoutInterrupts(() -> open(path, path, name, options));
            }
            catch (final IOException | RuntimeException ex)
            {
                // not the built file under the name any more (deleted, or another of other options): the temp link
            }
            if (null != byName && builtKey.equals(byName.fileKey))
            {
                return byName;
            }
            if (null != byName)
            {
                byName.close();
            }
        }
        return withoutInterrupts(() -> open(temp, path, name, options));
    }

    /**
     * Open an existing channel file, adopting its kind, capacity and limits.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @return the mapped channel file.
     * @throws NoSuchFileException if there is no such channel.
     * @throws CorruptChannelException if the header fails a check.
     * @throws IOException if the file cannot be read or mapped, or (Linux) the file system has no space for the blocks
     * a sparse file lacks.
     */
    public static ChannelFile open(final Path directory, final String name) throws IOException
    {
        return open(directory, name, ChannelOptions.defaults());
    }

    /**
     * Open an existing channel file and check it against the options that were set explicitly.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @param expected the kind, capacity, max message length, stuck claim timeout and permissions to insist on,
     *                 where set.
     * @return the mapped channel file.
     * @throws NoSuchFileException if there is no such channel.
     * @throws CorruptChannelException if the header fails a check.
     * @throws IllegalArgumentException if the file does not match an explicitly set option.
     * @throws IOException if the file cannot be read or mapped, or (Linux) the file system has no space for the blocks
     * a sparse file lacks; also when the process is out of file descriptors, since an open channel file keeps one
     * (for {@link #checkLength()}).
     * @throws TruncatedChannelException if the file was truncated between its length check and its header check.
     */
    public static ChannelFile open(final Path directory, final String name, final ChannelOptions expected)
        throws IOException
    {
        final Path path = pathOf(directory, name);
        return withoutInterrupts(() -> open(path, path, name, expected));
    }

    /**
     * Open the file at {@code openPath}, the channel's own {@code path} or, for create, a link to the file it built.
     */
    private static ChannelFile open(final Path openPath, final Path path, final String name,
        final ChannelOptions expected) throws IOException
    {
        final Object keyBeforeOpen = fileKey(openPath);
        final FileChannel channel;
        try
        {
            // kept open while the file is mapped: checkLength measures the mapped file itself through it
            channel = FileChannel.open(openPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        catch (final NoSuchFileException ex)
        {
            throw new NoSuchFileException(path.toString(), null, "no channel '" + name + "'");
        }
        MappedByteBuffer mapped = null;
        try
        {
            // length and mapping from one open file: by name, the length could be another file's, put in its place
            // meanwhile, and mapping READ_WRITE past a file's end would grow that file
            final long actualLength = channel.size();
            if (actualLength < FILE_HEADER_LENGTH)
            {
                throw fieldError(path, "file length (on disk)", ">= " + FILE_HEADER_LENGTH, actualLength);
            }
            if (actualLength > fileLength(MAX_CAPACITY))
            {
                throw fieldError(path, "file length (on disk)", "<= " + fileLength(MAX_CAPACITY), actualLength);
            }
            mapped = mapNamingTheFile(channel, path, actualLength);
            // only for a channel an interrupt closes (see currentLength): read by name, so kept only if the name held
            // the same file before the open and after the mapping
            final Object fileKey = null != keyBeforeOpen && keyBeforeOpen.equals(fileKey(path)) ? keyBeforeOpen : null;
            final CheckedHeader checked =
                checkHeader(path, new UnsafeBuffer(mapped, 0, FILE_HEADER_LENGTH), actualLength);
            final ChannelFile file = new ChannelFile(path, mapped, checked, channel, fileKey);
            file.checkExpected(expected, openPath);
            // a channel file, whole: give any hole a block now, so a full file system is this IOException, not a
            // fault at the first touch of the hole (a sparse copy); nothing to do for a file that create made
            FileSpace.allocate(openPath, actualLength);
            // counted last, where nothing can fail: a file that open (or create, which ends here) does not return
            // is never closed, so must not be counted
            OPEN_FILES.incrementAndGet();
            return file;
        }
        catch (final RuntimeException | IOException | Error ex)
        {
            // a fault reading the header, or (JDK 17, which raises the fault late) a header check failed on what the
            // faulted loads returned: named as the truncation it is
            final TruncatedChannelException truncated =
                null != mapped && !(ex instanceof TruncatedChannelException) ?
                truncatedWhileOpening(channel, path, mapped) : null;
            if (null != mapped)
            {
                IoUtil.unmap(mapped);
            }
            closeQuietly(channel, ex);
            if (null != truncated)
            {
                truncated.initCause(ex);
                throw truncated;
            }
            throw ex;
        }
    }

    /**
     * Open a channel file, creating it with the options if it does not exist. Safe against a concurrent creator in
     * another process: exactly one creates, the others open what it built. Safe against a concurrent delete too: a
     * file deleted between the look and the open is created again, and a file created between them is opened, up to
     * {@link #OPEN_OR_CREATE_ATTEMPTS} times.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @param options options for creation and expectations for opening.
     * @return the mapped channel file.
     * @throws NoSuchFileException if the file was deleted under every attempt to open or create it.
     * @throws IOException if the file cannot be built or read.
     */
    public static ChannelFile openOrCreate(final Path directory, final String name, final ChannelOptions options)
        throws IOException
    {
        return openOrCreate(directory, name, options, NO_INTERFERENCE);
    }

    /**
     * As {@link #openOrCreate(Path, String, ChannelOptions)}, with {@code afterLook} run between each attempt's look
     * for the file and its open or create: for tests, which stand in there for another process's create or delete,
     * an instant no real process can be timed to.
     */
    static ChannelFile openOrCreate(
        final Path directory, final String name, final ChannelOptions options, final AfterLook afterLook)
        throws IOException
    {
        final Path path = pathOf(directory, name);
        for (int attempt = 1; ; attempt++)
        {
            final boolean found = Files.exists(path);
            afterLook.afterLook(attempt, found);
            try
            {
                return found ? open(directory, name, options) : create(directory, name, options);
            }
            catch (final NoSuchFileException | FileAlreadyExistsException ex)
            {
                // deleted after the look (or after create linked it), or created by another process after it; not
                // a failure about another file (the directory), nor a link to nothing, which no retry can mend
                if (!path.toString().equals(ex.getFile()))
                {
                    throw ex;
                }
                if (Files.isSymbolicLink(path) && Files.notExists(path))
                {
                    final NoSuchFileException failure = new NoSuchFileException(path.toString(), null,
                        "channel '" + name + "' is a symbolic link to nothing: it can be neither opened nor created");
                    failure.initCause(ex);
                    throw failure;
                }
                if (attempt >= OPEN_OR_CREATE_ATTEMPTS)
                {
                    final NoSuchFileException failure = new NoSuchFileException(path.toString(), null, "channel '" +
                        name + "' was deleted or created by another process under each of " + attempt +
                        " attempts to open or create it; last: " + ex);
                    failure.initCause(ex);
                    throw failure;
                }
            }
        }
    }

    /**
     * What {@link #openOrCreate(Path, String, ChannelOptions, AfterLook)} runs after each look for the file.
     */
    @FunctionalInterface
    interface AfterLook
    {
        /**
         * @param attempt 1 for the first attempt, then 2, 3, ...
         * @param found   whether the look found the file, and so whether the attempt opens or creates.
         * @throws IOException as the stand-in's file operations do.
         */
        void afterLook(int attempt, boolean found) throws IOException;
    }

    /**
     * Delete a channel file. Processes that have it mapped keep their mapping until they close it.
     *
     * @param directory channel directory.
     * @param name channel name.
     * @return true if a file was deleted.
     * @throws IOException if the file exists but cannot be deleted.
     */
    public static boolean delete(final Path directory, final String name) throws IOException
    {
        final Path path = pathOf(directory, name);
        removeDeadCreatorsTemps(directory, name);
        return Files.deleteIfExists(path);
    }

    private static String tempPrefix(final String name)
    {
        return "." + name + ".tmp-";
    }

    /**
     * Delete, as far as it can, the temps that creators of this channel left when they were killed mid-create: files
     * named exactly as {@link #create} names its temps ({@code .<name>.tmp-<pid>-<digits>}, so not those of a channel
     * whose name merely starts like this one's) whose pid no process has now. A temp whose pid runs (its creator at
     * work, or another process with that pid now) is left alone. Best effort: a temp it may not delete (another
     * user's, in a sticky directory) or a directory it cannot list is left as it is, and the create or delete goes on.
     * With no channel file open in this process, the {@code /proc} files its look-ups kept are closed after them.
     */
    static void removeDeadCreatorsTemps(final Path directory, final String name)
    {
        final Pattern temps = Pattern.compile(Pattern.quote(tempPrefix(name)) + "([0-9]{1,10})-[0-9]+");
        boolean lookedUp = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, entry ->
            entry.getFileName().toString().startsWith(tempPrefix(name))))
        {
            for (final Path entry : entries)
            {
                final Matcher matcher = temps.matcher(entry.getFileName().toString());
                if (matcher.matches())
                {
                    final long pid = Long.parseLong(matcher.group(1));
                    if (pid > 0 && pid <= Integer.MAX_VALUE)
                    {
                        lookedUp = true;
                        if (!ProcessIdentity.isAlive(pid))
                        {
                            deleteQuietly(entry);
                        }
                    }
                }
            }
        }
        catch (final IOException | DirectoryIteratorException ex)
        {
            // not listable (missing, unreadable): nothing to clean, and nothing for the caller to fail on
        }
        // a look-up of a live creator keeps its /proc file, which a process with no channel open (a delete, a create
        // that then fails) must not keep. The count is read after the look-ups: one above 0 comes down to 0 later,
        // by a close whose sweep then takes the file
        if (lookedUp && 0 == OPEN_FILES.get())
        {
            ProcessIdentity.closeKeptFiles();
        }
    }

    /**
     * @return how many channel files this process has open: returned by open or create and not yet closed.
     */
    static int openFiles()
    {
        return OPEN_FILES.get();
    }

    private static void deleteQuietly(final Path temp)
    {
        try
        {
            if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS))
            {
                Files.deleteIfExists(temp);
            }
        }
        catch (final IOException ex)
        {
            // another user's, say: left where it is
        }
    }

    /**
     * The ring in this file, created on first call; the same instance afterwards.
     *
     * @return the ring, an {@link SpscRing} or an {@link MpscRing} according to the header.
     */
    public synchronized Ring ring()
    {
        checkOpen();
        if (null == ring)
        {
            ring = RingKind.SPSC == kind ?
                new SpscRing(headerBuffer, ringBuffer, maxMessageLength, stuckClaimTimeoutNs, path.toString()) :
                new MpscRing(headerBuffer, ringBuffer, maxMessageLength, stuckClaimTimeoutNs, path.toString());
        }
        return ring;
    }

    /**
     * @return the file's path.
     */
    public Path path()
    {
        return path;
    }

    /**
     * Check that the file this object mapped is still as long as the mapping. A file truncated by another process
     * after it was mapped cannot be refused at open: a page past its new end faults when touched, and the JVM raises
     * that fault as an {@link InternalError} ("a fault occurred in ... unsafe memory access operation"), from the
     * access or, on JDK 17, at some later point of the thread. {@link io.conduit.Channel} and
     * {@link io.conduit.ChannelSet} call this when they meet such an error and throw the
     * {@link TruncatedChannelException} in its place; a loop that meets an {@code InternalError} outside their calls,
     * or uses the {@link Ring} directly, may do the same. Nothing is mapped, written or touched: one {@code fstat} of
     * the file mapped, which this object keeps open until {@link #close()}, so a file renamed, deleted or replaced
     * under the name after it was truncated is still measured.
     *
     * @throws TruncatedChannelException if the mapped file is now shorter than the mapping, naming the file and both
     *                                   lengths.
     */
    public void checkLength()
    {
        final long length = currentLength();
        final long mappedLength = mapped.capacity();
        if (length < mappedLength)
        {
            throw truncated(path, length, mappedLength);
        }
    }

    /**
     * @return whether the file this object mapped is now shorter than the mapping, as {@link #checkLength()} finds.
     */
    public boolean isTruncated()
    {
        return currentLength() < mapped.capacity();
    }

    /**
     * @return whether the file this object mapped is now shorter than its header: the words of the roles and of the
     * sleepers, which closing would touch, are gone. False once closed.
     */
    public boolean isHeaderGone()
    {
        return currentLength() < FILE_HEADER_LENGTH;
    }

    /**
     * @return the mapped file's length now, or {@link Long#MAX_VALUE} once this object is closed (or if the file
     * cannot be measured): nothing to report then.
     */
    private long currentLength()
    {
        // an interrupted thread's call would close the channel (the rule of interruptible channels): the flag is
        // put aside for the call and set again after it
        final boolean interrupted = Thread.interrupted();
        try
        {
            return fileChannel.size();
        }
        catch (final IOException ex)
        {
            // closed: by close, or by an interrupt from another thread landing inside size(); in the second case the
            // file is measured by its name, if the name still holds the file mapped
            return descriptorReleased ? Long.MAX_VALUE : lengthByName();
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * For tests: close the kept descriptor as an interrupt landing inside a measure would.
     */
    void closeDescriptorAsAnInterruptWould() throws IOException
    {
        fileChannel.close();
    }

    private long lengthByName()
    {
        try
        {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return null != fileKey && fileKey.equals(attributes.fileKey()) ? attributes.size() : Long.MAX_VALUE;
        }
        catch (final IOException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    /**
     * @return the ring kind.
     */
    public RingKind kind()
    {
        return kind;
    }

    /**
     * @return ring capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return longest message body in bytes.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the time after which a live producer's uncommitted claim is skipped.
     */
    public long stuckClaimTimeoutNs()
    {
        return stuckClaimTimeoutNs;
    }

    /**
     * @return creation time from the header, in epoch ms, as read at open (also after close).
     */
    public long creationTimeMs()
    {
        return creationTimeMs;
    }

    /**
     * @return the header region, laid out as {@link ChannelFileDescriptor} describes.
     */
    public AtomicBuffer headerBuffer()
    {
        return headerBuffer;
    }

    /**
     * @return the ring region.
     */
    public AtomicBuffer ringBuffer()
    {
        return ringBuffer;
    }

    /**
     * @return true once closed.
     */
    public synchronized boolean isClosed()
    {
        return closed;
    }

    /**
     * Release this process's roles on the ring and unmap the file. Idempotent. If releasing a role throws (a corrupt
     * header), the file is unmapped all the same and the exception passes on. A file truncated below its header
     * ({@link #isHeaderGone()}) is only unmapped: the roles' words are gone, and touching them would fault. The close
     * of the last channel file this process has open also closes the {@code /proc} files kept for liveness look-ups
     * ({@link ProcessIdentity#closeKeptFiles()}); a close that leaves another open leaves them.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                if (isHeaderGone())
                {
                    // the roles' words are past the end, and fault: releasing a role would touch them (and a
                    // compare-and-set there, unlike a load or a store, crashes an interpreted caller on JDK 17)
                    return;
                }
                release();
            }
            finally
            {
                // unmapped even when releasing a role throws (a corrupt tail word, say): closed is closed, and a
                // second close would not come back for the mapping
                IoUtil.unmap(mapped);
                descriptorReleased = true;
                closeQuietly(fileChannel, null);
                // counted down once, under the closed flag, even when releasing a role threw. The kept files are
                // closed after the count reaches 0: a look-up in flight then either has its file taken by the sweep
                // or sees the sweep's new generation and drops it. A channel file opened by another thread once the
                // count is 0 may have the files its first look-ups kept closed by this sweep: a close too many, which
                // costs that channel one allocating look-up per process, never a file left open with none counted
                if (0 == OPEN_FILES.decrementAndGet())
                {
                    ProcessIdentity.closeKeptFiles();
                }
            }
        }
    }

    /**
     * Release this process's roles. A failure is named as a truncation where it is one, measured now, while the
     * descriptor is still open.
     */
    private void release()
    {
        try
        {
            if (ring instanceof SpscRing)
            {
                ((SpscRing)ring).release();
            }
            else if (ring instanceof MpscRing)
            {
                ((MpscRing)ring).release();
            }
        }
        catch (final RuntimeException | Error ex)
        {
            if (isTruncated())
            {
                final TruncatedChannelException truncated = truncated(path, currentLength(), mapped.capacity());
                truncated.initCause(ex);
                throw truncated;
            }
            throw ex;
        }
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ChannelFile{path=" + path + ", kind=" + kind + ", capacity=" + capacity +
            ", maxMessageLength=" + maxMessageLength + '}';
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("channel file is closed: " + path);
        }
    }

    /**
     * @param openPath the path the file was opened by: its permissions are the opened file's (for create, through
     *                 its temp link, whatever is under the channel's name by then).
     */
    private void checkExpected(final ChannelOptions expected, final Path openPath)
    {
        if (null != expected.kind() && expected.kind() != kind)
        {
            throw new IllegalArgumentException("channel file has kind=" + kind + " but kind=" + expected.kind() +
                " was asked for: file=" + path);
        }
        if (0 != expected.capacity() && expected.capacity() != capacity)
        {
            throw new IllegalArgumentException("channel file has capacity=" + capacity + " but capacity=" +
                expected.capacity() + " was asked for: file=" + path);
        }
        if (-1 != expected.maxMessageLength() && expected.maxMessageLength() != maxMessageLength)
        {
            throw new IllegalArgumentException("channel file has maxMessageLength=" + maxMessageLength +
                " but maxMessageLength=" + expected.maxMessageLength() + " was asked for: file=" + path);
        }
        if (-1 != expected.stuckClaimTimeoutNs() && expected.stuckClaimTimeoutNs() != stuckClaimTimeoutNs)
        {
            throw new IllegalArgumentException("channel file has stuckClaimTimeoutNs=" + stuckClaimTimeoutNs +
                " but stuckClaimTimeoutNs=" + expected.stuckClaimTimeoutNs() + " was asked for: file=" + path);
        }
        if (null != expected.permissions())
        {
            final Set<PosixFilePermission> actual = permissionsOf(openPath);
            if (null != actual && !actual.equals(expected.permissions()))
            {
                throw new IllegalArgumentException("channel file has permissions=" +
                    PosixFilePermissions.toString(actual) + " but permissions=" +
                    PosixFilePermissions.toString(expected.permissions()) + " were asked for: file=" + path);
            }
        }
    }

    /**
     * @return the file's POSIX permissions, or null where the file system has none.
     */
    private static Set<PosixFilePermission> permissionsOf(final Path path)
    {
        try
        {
            return Files.getPosixFilePermissions(path);
        }
        catch (final UnsupportedOperationException | IOException ex)
        {
            return null;
        }
    }

    private static void checkName(final String name)
    {
        if (null == name || !NAME_PATTERN.matcher(name).matches())
        {
            throw new IllegalArgumentException("channel name=\"" + name +
                "\" expected 1 to 128 of [A-Za-z0-9._-], not starting with '.' or '-'");
        }
    }

    /**
     * Check every descriptor field of a mapped header, magic first.
     *
     * @param path file, for messages.
     * @param header the mapped header.
     * @param actualLength the file's length on disk.
     * @return the fields checked, as read.
     * @throws CorruptChannelException naming the first field that fails.
     */
    static CheckedHeader checkHeader(final Path path, final AtomicBuffer header, final long actualLength)
    {
        final long magic = header.getLongAcquire(MAGIC_OFFSET); // acquire: pairs with release of magic at creation
        if (MAGIC != magic)
        {
            throw fieldError(path, "magic", "0x" + Long.toHexString(MAGIC), magic);
        }
        final int version = header.getInt(LAYOUT_VERSION_OFFSET);
        if (LAYOUT_VERSION != version)
        {
            throw fieldError(path, "layoutVersion", String.valueOf(LAYOUT_VERSION), version);
        }
        final int kindCode = header.getInt(RING_KIND_OFFSET);
        if (null == RingKind.fromCode(kindCode))
        {
            throw fieldError(path, "ringKind", validKinds(kindCode), kindCode);
        }
        final int headerLength = header.getInt(HEADER_LENGTH_OFFSET);
        if (FILE_HEADER_LENGTH != headerLength)
        {
            throw fieldError(path, "headerLength", String.valueOf(FILE_HEADER_LENGTH), headerLength);
        }
        final int capacity = header.getInt(CAPACITY_OFFSET);
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)
        {
            throw fieldError(path, "capacity", "a power of two in [" + MIN_CAPACITY + ", " + MAX_CAPACITY + "]",
                capacity);
        }
        final int maxMessageLength = header.getInt(MAX_MESSAGE_LENGTH_OFFSET);
        if (maxMessageLength < 0 || maxMessageLength > defaultMaxMessageLength(capacity))
        {
            throw fieldError(path, "maxMessageLength", "in [0, " + defaultMaxMessageLength(capacity) + "]",
                maxMessageLength);
        }
        final long fileLength = header.getLong(FILE_LENGTH_OFFSET);
        if (fileLength(capacity) != fileLength)
        {
            throw fieldError(path, "fileLength", String.valueOf(fileLength(capacity)) + " (header + capacity)",
                fileLength);
        }
        if (actualLength != fileLength)
        {
            throw fieldError(path, "file length (on disk)", String.valueOf(fileLength), actualLength);
        }
        final long timeoutNs = header.getLong(STUCK_CLAIM_TIMEOUT_OFFSET);
        if (timeoutNs <= 0 || timeoutNs > ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS)
        {
            throw fieldError(path, "stuckClaimTimeoutNs", "> 0 and at most " +
                ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS + " (a day)", timeoutNs);
        }
        return new CheckedHeader(RingKind.fromCode(kindCode), capacity, maxMessageLength, timeoutNs);
    }

    private static void writeHeader(
        final UnsafeBuffer header, final ChannelOptions options, final int capacity, final int maxMessageLength)
    {
        header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(RING_KIND_OFFSET, options.kindOrDefault().code());
        header.putInt(CAPACITY_OFFSET, capacity);
        header.putInt(MAX_MESSAGE_LENGTH_OFFSET, maxMessageLength);
        header.putLong(FILE_LENGTH_OFFSET, fileLength(capacity));
        header.putLong(CREATION_TIME_OFFSET, System.currentTimeMillis());
        header.putInt(HEADER_LENGTH_OFFSET, FILE_HEADER_LENGTH);
        header.putLong(STUCK_CLAIM_TIMEOUT_OFFSET, options.stuckClaimTimeoutNsOrDefault());
        // release: publishes every header field; pairs with the acquire of magic in checkHeader
        header.putLongRelease(MAGIC_OFFSET, MAGIC);
    }

    private static Path createOwnerOnlyTemp(final Path directory, final String prefix) throws IOException
    {
        try
        {
            return Files.createTempFile(
                directory, prefix, "", PosixFilePermissions.asFileAttribute(ChannelOptions.DEFAULT_PERMISSIONS));
        }
        catch (final UnsupportedOperationException ex)
        {
            return Files.createTempFile(directory, prefix, ""); // not a POSIX file system
        }
    }

    private static void allocate(final Path file, final long length, final Path channelFile) throws IOException
    {
        // Write real zeros rather than set the length, so every block is allocated now: a full file system fails
        // here with an IOException, not later with a SIGBUS when a page is first touched through the mapping.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK_LENGTH);
            long position = 0;
            while (position < length)
            {
                zeros.clear().limit((int)Math.min(ZERO_CHUNK_LENGTH, length - position));
                while (zeros.hasRemaining())
                {
                    position += channel.write(zeros, position);
                }
            }
        }
        catch (final ClosedByInterruptException ex)
        {
            throw ex; // not a lack of space: withoutInterrupts tries again
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot allocate channel file of length=" + length + " file=" + channelFile + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return the file key (device and inode) of the file under the path, or null if there is none or no file.
     */
    private static Object fileKey(final Path path)
    {
        try
        {
            return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static TruncatedChannelException truncatedWhileOpening(
        final FileChannel channel, final Path path, final MappedByteBuffer mapped)
    {
        try
        {
            final long length = channel.size();
            return length < mapped.capacity() ? truncated(path, length, mapped.capacity()) : null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }

    private static TruncatedChannelException truncated(final Path path, final long length, final long mappedLength)
    {
        return new TruncatedChannelException("channel file truncated after it was mapped: file=" + path + " length=" +
            length + " mapped=" + mappedLength + " (pages past the end fault when touched; keep channel files out " +
            "of reach of anything that truncates them)");
    }

    private static void closeQuietly(final FileChannel channel, final Throwable failure)
    {
        try
        {
            channel.close();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (null != failure)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    private static MappedByteBuffer map(final Path file, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            return mapNamingTheFile(channel, file, length);
        }
    }

    /**
     * Map {@code length} bytes; a failure (no address space left, a mapping limit reached) names the file and the
     * length, which the JDK's "Map failed" does not.
     */
    private static MappedByteBuffer mapNamingTheFile(final FileChannel channel, final Path file, final long length)
        throws IOException
    {
        try
        {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
        catch (final ClosedByInterruptException ex)
        {
            throw ex; // withoutInterrupts tries again
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot map channel file " + file + " length=" + length + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A step of open or create that uses an interruptible channel, which a set interrupt flag, or an interrupt landing
     * inside it, closes (ClosedByInterruptException): with the flag put aside for the step, tried again, up to
     * {@link #INTERRUPTED_ATTEMPTS} times, if an interrupt lands in it, and the flag set again after. Opening and
     * creating take no time worth interrupting, and a create broken after its link would leave the channel made but
     * report it not made.
     */
    static <T> T withoutInterrupts(final IoStep<T> step) throws IOException
    {
        boolean interrupted = Thread.interrupted();
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    return step.run();
                }
                catch (final ClosedByInterruptException ex)
                {
                    Thread.interrupted();
                    interrupted = true;
                    if (attempt >= INTERRUPTED_ATTEMPTS)
                    {
                        throw ex;
                    }
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A step of open or create.
     */
    @FunctionalInterface
    interface IoStep<T>
    {
        T run() throws IOException;
    }

    static void link(final Path temp, final Path path) throws IOException
    {
        try
        {
            Files.createLink(path, temp); // link(2) never replaces an existing file
        }
        catch (final UnsupportedOperationException ex)
        {
            // no hard links here: a rename would replace a file another creator put under the name meanwhile, so no
            // atomic creation, and no channel
            throw new IOException("cannot create channel file " + path + ": its file system has no hard links, " +
                "which atomic creation takes", ex);
        }
        catch (final FileSystemException ex)
        {
            if (FileSystemException.class != ex.getClass())
            {
                throw ex; // already exists, no such file, access denied: as they are
            }
            // EPERM where the file system has no hard links (vfat, exFAT, some FUSE mounts), ENOSPC, EMLINK, ...
            throw new IOException("cannot link channel file " + path + " to its temp " + temp + ": " +
                ex.getReason() + " (creation takes a hard link: a file system without them, vfat or exFAT, refuses " +
                "it)", ex);
        }
    }
}
