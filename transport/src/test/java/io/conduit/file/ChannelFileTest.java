package io.conduit.file;

import io.conduit.CorruptChannelException;
import io.conduit.TruncatedChannelException;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.conduit.file.ChannelFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Channel files on disk: the create/open/close/delete life cycle, permissions, atomic and race-free creation, the
 * header checks on open (one test per field), attach-without-rewrite, and blocks allocated at creation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelFileTest
{
    static final String NAME = "orders";
    static final int CAPACITY = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void shouldReportATruncationAfterMappingNamingTheFileAndBothLengths() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "cut", ChannelOptions.defaults().capacity(64 * 1024)))
        {
            final long length = Files.size(file.path());
            file.checkLength();
            assertFalse(file.isTruncated());

            truncate(file.path(), ChannelFileDescriptor.FILE_HEADER_LENGTH);
            assertTrue(file.isTruncated());
            final TruncatedChannelException ex = assertThrows(TruncatedChannelException.class, file::checkLength);
            assertEquals("channel file truncated after it was mapped: file=" + file.path() + " length=" +
                ChannelFileDescriptor.FILE_HEADER_LENGTH + " mapped=" + length + " (pages past the end fault when " +
                "touched; keep channel files out of reach of anything that truncates them)", ex.getMessage());

            truncate(file.path(), length); // whole again (zero pages past the header): nothing to report
            file.checkLength();
            assertFalse(file.isTruncated());
        }
    }

    @Test
    void shouldNotReportAFileItDidNotMapOrOneDeleted() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, "swapped", ChannelOptions.defaults().capacity(64 * 1024)))
        {
            // another, shorter file under the name: not the one mapped, so not measured
            final Path other = dir.resolve("other");
            Files.write(other, new byte[16]);
            Files.move(other, file.path(), StandardCopyOption.REPLACE_EXISTING);
            assertFalse(file.isTruncated());
            file.checkLength();

            Files.delete(file.path()); // deleted: the mapping stays whole
            assertFalse(file.isTruncated());
            file.checkLength();
            assertEquals(0, file.ring().size());
        }
    }

    /**
     * A release would touch the roles' words, gone with the header. Deterministic on JDK 25, where the touch throws
     * here; on JDK 17 its error would be raised later, maybe in another test (TruncatedChannelTest's child case checks
     * the close there).
     */
    @Test
    void shouldCloseATruncatedFileWithoutTouchingIt() throws Exception
    {
        final int before = ChannelFile.openFiles();
        final ChannelFile file = ChannelFile.create(dir, "closed", ChannelOptions.defaults().capacity(64 * 1024));
        final Ring ring = file.ring();
        assertTrue(ring.offer(1, new UnsafeBuffer(new byte[8]), 0, 8)); // the producer role, released at close
        assertEquals(1, ring.read((typeId, buffer, offset, length) -> { }, 1)); // and the consumer's
        truncate(file.path(), 0);
        assertTrue(file.isHeaderGone());
        file.close(); // the roles' words are gone: a release would fault (and crash an interpreted compare-and-set)
        assertTrue(file.isClosed());
        assertEquals(before, ChannelFile.openFiles());
        assertFalse(file.isTruncated(), "a closed file is not measured");
    }

    /**
     * A descriptor an interrupt closed: the file is measured by its name from then on, so a file that lost its header
     * is still found headless, and closing it still touches nothing.
     */
    @Test
    void shouldMeasureByNameAndCloseUntouchedOnceAnInterruptClosedTheDescriptor() throws Exception
    {
        final int before = ChannelFile.openFiles();
        final ChannelFile file = ChannelFile.create(dir, "interrupted", ChannelOptions.defaults().capacity(64 * 1024));
        final Ring ring = file.ring();
        assertTrue(ring.offer(1, new UnsafeBuffer(new byte[8]), 0, 8)); // both roles taken: released at close
        assertEquals(1, ring.read((typeId, buffer, offset, length) -> { }, 1));
        file.closeDescriptorAsAnInterruptWould();
        assertFalse(file.isTruncated());
        // by name, but only the file mapped: a shorter one under the name is another file, not measured
        final Path moved = dir.resolve("moved");
        Files.move(file.path(), moved);
        Files.write(file.path(), new byte[16]);
        assertFalse(file.isTruncated(), "another file under the name");
        Files.move(moved, file.path(), StandardCopyOption.REPLACE_EXISTING);
        truncate(file.path(), 0);
        assertTrue(file.isTruncated());
        assertTrue(file.isHeaderGone());
        final TruncatedChannelException ex = assertThrows(TruncatedChannelException.class, file::checkLength);
        assertTrue(ex.getMessage().contains(" length=0 "), ex.getMessage());
        file.close(); // a release would fault: the roles' words are gone
        assertEquals(before, ChannelFile.openFiles());
    }

    private static void truncate(final Path file, final long length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            if (length < channel.size())
            {
                channel.truncate(length);
            }
            else
            {
                channel.write(ByteBuffer.allocate(1), length - 1); // extends with a hole, then the last byte
            }
        }
    }

    @Test
    void shouldCreateOpenCloseAndDeleteChannel() throws Exception
    {
        final long beforeMs = System.currentTimeMillis();
        final Path path;
        try (ChannelFile created = ChannelFile.create(dir, NAME, options(RingKind.MPSC)))
        {
            path = created.path();
            assertEquals(dir.resolve(NAME + ChannelFile.SUFFIX), path);
            assertEquals(ChannelFile.pathOf(dir, NAME), path);
            assertEquals(RingKind.MPSC, created.kind());
            assertEquals(CAPACITY, created.capacity());
            assertEquals(defaultMaxMessageLength(CAPACITY), created.maxMessageLength());
            assertEquals(ChannelOptions.DEFAULT_STUCK_CLAIM_TIMEOUT_NS, created.stuckClaimTimeoutNs());
            assertTrue(created.creationTimeMs() >= beforeMs && created.creationTimeMs() <= System.currentTimeMillis());
            assertEquals(CAPACITY, created.ringBuffer().capacity());
            assertEquals(FILE_HEADER_LENGTH, created.headerBuffer().capacity());
            assertSame(created.ring(), created.ring(), "one ring per file");
            assertEquals(RingKind.MPSC, created.ring().kind());
            final UnsafeBuffer body = new UnsafeBuffer(new byte[8]);
            body.putLong(0, 42);
            assertTrue(created.ring().offer(3, body, 0, 8));
        }

        final ChannelFile opened = ChannelFile.open(dir, NAME);
        final long creationTimeMs = opened.creationTimeMs();
        try
        {
            final List<Long> values = new ArrayList<>();
            assertEquals(1, opened.ring().read((typeId, buffer, offset, length) -> values.add(buffer.getLong(offset)),
                10));
            assertEquals(List.of(42L), values);
        }
        finally
        {
            opened.close();
        }
        assertTrue(opened.isClosed());
        opened.close(); // idempotent
        assertThrows(IllegalStateException.class, opened::ring);
        try (ChannelFile again = ChannelFile.openOrCreate(dir, NAME, ChannelOptions.defaults()))
        {
            assertEquals(creationTimeMs, again.creationTimeMs(), "openOrCreate opens what exists");
        }

        assertTrue(ChannelFile.delete(dir, NAME));
        assertFalse(Files.exists(path));
        assertFalse(ChannelFile.delete(dir, NAME));
        assertThrows(NoSuchFileException.class, () -> ChannelFile.open(dir, NAME));
    }

    /**
     * The count of channel files open in this process, whose last close closes the {@code /proc} files kept for
     * liveness look-ups: up once for each file open or create returns, down once at its first close, and never moved
     * by an open or create that fails. Relative to the count at the start, which holds whatever other tests left open.
     */
    @Test
    void shouldCountEachFileReturnedOnceAndEachFileClosedOnce() throws Exception
    {
        final int othersOpen = ChannelFile.openFiles();
        final ChannelFile created = ChannelFile.create(dir, NAME, options(RingKind.SPSC));
        assertEquals(othersOpen + 1, ChannelFile.openFiles());
        final ChannelFile opened = ChannelFile.open(dir, NAME);
        final ChannelFile openedOrCreated = ChannelFile.openOrCreate(dir, "other", options(RingKind.MPSC));
        assertEquals(othersOpen + 3, ChannelFile.openFiles());

        assertThrows(FileAlreadyExistsException.class, () -> ChannelFile.create(dir, NAME, options(RingKind.SPSC)));
        assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().kind(RingKind.MPSC)), "mapped, then refused");
        assertThrows(NoSuchFileException.class, () -> ChannelFile.open(dir, "missing"));
        assertEquals(othersOpen + 3, ChannelFile.openFiles(), "a failed open or create counted");

        opened.close();
        opened.close();
        assertEquals(othersOpen + 2, ChannelFile.openFiles(), "a second close of one file counted again");
        openedOrCreated.close();
        created.close();
        created.close();
        assertEquals(othersOpen, ChannelFile.openFiles());

        assertTrue(ChannelFile.delete(dir, NAME));
        createAndCorrupt(MAGIC_OFFSET, Long.BYTES, MAGIC ^ 0xFF);
        assertThrows(CorruptChannelException.class, () -> ChannelFile.open(dir, NAME));
        assertEquals(othersOpen, ChannelFile.openFiles(), "a corrupt file, mapped and refused, counted");
    }

    /**
     * The creation time is read at open: asked after close, it answers the same, where a load from the unmapped
     * header crashed the JVM (SIGSEGV in Unsafe_GetLong, exit 134, in the review's child JVM).
     */
    @Test
    void shouldAnswerTheCreationTimeAfterClose() throws Exception
    {
        final ChannelFile file = ChannelFile.create(dir, NAME, options(RingKind.SPSC));
        final long creationTimeMs = file.creationTimeMs();
        file.close();
        assertEquals(creationTimeMs, file.creationTimeMs());
    }

    /**
     * create returns the file it built, opened through its temp link: a channel deleted and made again by another
     * process right after the link (its own kind and capacity) is not what it returns, and one only deleted there is
     * not a NoSuchFileException for the file just made. It used to open the file again by the channel's name. The
     * permissions asked for are checked on the file it built, not on the other creator's (rw-------).
     */
    @Test
    void shouldReturnTheFileItBuiltWhenTheNameIsReplacedRightAfterTheLink() throws Exception
    {
        final ChannelOptions mine = ChannelOptions.defaults().kind(RingKind.SPSC).capacity(CAPACITY)
            .permissions("rw-rw----");
        final ChannelOptions theirs = ChannelOptions.defaults().kind(RingKind.MPSC).capacity(2 * CAPACITY);
        final ChannelFile[] replacement = new ChannelFile[1];
        try (ChannelFile created = ChannelFile.create(dir, NAME, mine, () ->
        {
            try
            {
                ChannelFile.delete(dir, NAME);
                replacement[0] = ChannelFile.create(dir, NAME, theirs);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }))
        {
            assertEquals(RingKind.SPSC, created.kind());
            assertEquals(CAPACITY, created.capacity());
            assertTrue(created.ring().offer(1, new UnsafeBuffer(new byte[8]), 0, 8), "its own file, mapped");
        }
        finally
        {
            if (null != replacement[0])
            {
                replacement[0].close();
            }
        }
        try (ChannelFile underTheName = ChannelFile.open(dir, NAME))
        {
            assertEquals(RingKind.MPSC, underTheName.kind(), "the other creator's file keeps the name");
            assertEquals(0, underTheName.ring().size());
        }
        ChannelFile.delete(dir, NAME);

        try (ChannelFile created = ChannelFile.create(dir, NAME, mine, () ->
        {
            try
            {
                ChannelFile.delete(dir, NAME);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }))
        {
            assertEquals(RingKind.SPSC, created.kind());
        }
        assertFalse(Files.exists(ChannelFile.pathOf(dir, NAME)));
        try (Stream<Path> left = Files.list(dir))
        {
            assertEquals(List.of(), left.collect(Collectors.toList()), "no temp left");
        }
    }

    /**
     * A temp link that cannot be removed once the channel is made (a directory set append-only: files can be made and
     * linked there, not removed) is an IOException naming the channel and the temp, and the file create opened is
     * closed, not leaked with its mapping and descriptor. Skipped where chattr is refused (not root, or tmpfs).
     */
    @Test
    void shouldCloseWhatItOpenedWhenTheTempCannotBeRemoved() throws Exception
    {
        final Path appendOnly = Files.createDirectories(dir.resolve("append-only"));
        assumeTrue(chattr("+a", appendOnly), "chattr +a refused here");
        try
        {
            final int openBefore = ChannelFile.openFiles();
            final IOException ex = assertThrows(IOException.class,
                () -> ChannelFile.create(appendOnly, NAME, options(RingKind.SPSC)));
            assertTrue(ex.getMessage().startsWith("channel file " + ChannelFile.pathOf(appendOnly, NAME) +
                " was created, but its temp link "), ex.getMessage());
            assertEquals(openBefore, ChannelFile.openFiles(), "closed, not leaked");
            assertTrue(Files.exists(ChannelFile.pathOf(appendOnly, NAME)), "the channel exists, as the message says");
        }
        finally
        {
            chattr("-a", appendOnly);
        }
    }

    /**
     * The same failure made without chattr, so it runs on any machine: once the file is linked under its name, the
     * temp link is swapped for a non-empty directory of the same name, which create's removal of the temp cannot
     * delete. The error names the channel and the temp, and the file create opened is closed.
     */
    @Test
    void shouldCloseWhatItOpenedWhenTheTempCannotBeRemovedAnywhere() throws Exception
    {
        final int openBefore = ChannelFile.openFiles();
        final List<Path> swapped = new ArrayList<>();
        final IOException ex = assertThrows(IOException.class, () -> ChannelFile.create(dir, NAME,
            options(RingKind.SPSC), () ->
            {
                try (Stream<Path> files = Files.list(dir))
                {
                    final Path temp = files.filter((p) -> p.getFileName().toString().startsWith("." + NAME + ".tmp-"))
                        .findFirst().orElseThrow();
                    Files.delete(temp);
                    Files.createFile(Files.createDirectory(temp).resolve("keep"));
                    swapped.add(temp);
                }
                catch (final IOException ioEx)
                {
                    throw new java.io.UncheckedIOException(ioEx);
                }
            }));
        assertEquals(1, swapped.size(), "the hook found the temp");
        assertTrue(ex.getMessage().startsWith("channel file " + ChannelFile.pathOf(dir, NAME) + " was created, but " +
            "its temp link " + swapped.get(0) + " could not be removed"), ex.getMessage());
        assertEquals(openBefore, ChannelFile.openFiles(), "closed, not leaked");
        try (ChannelFile file = ChannelFile.open(dir, NAME))
        {
            assertEquals(RingKind.SPSC, file.kind(), "the channel exists, as the message says");
        }
    }

    private static boolean chattr(final String flag, final Path path) throws Exception
    {
        try
        {
            final Process process =
                new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
            return process.waitFor(10, TimeUnit.SECONDS) && 0 == process.exitValue();
        }
        catch (final IOException ex)
        {
            return false; // no chattr
        }
    }

    /**
     * The link's own failures pass as they are (openOrCreate tries again on a NoSuchFileException naming the channel),
     * not as a file system without hard links.
     */
    @Test
    void shouldPassTheLinksOwnFailuresAsTheyAre() throws Exception
    {
        final Path path = ChannelFile.pathOf(dir, NAME);
        assertThrows(NoSuchFileException.class, () -> ChannelFile.link(dir.resolve("no-such-temp"), path));
        final Path temp = Files.createFile(dir.resolve("temp"));
        Files.createFile(path);
        assertThrows(FileAlreadyExistsException.class, () -> ChannelFile.link(temp, path));
    }

    /**
     * The step helper under create and open, shown without a race: a step whose interruptible channel is closed by an
     * interrupt (ClosedByInterruptException) runs again with the flag put aside, and the flag is set again after; a
     * step interrupted every time gives up after INTERRUPTED_ATTEMPTS runs, with the interrupt's exception and the
     * flag set. A flag set before the call is put aside for the step and set again after.
     */
    @Test
    void shouldRunAnInterruptedStepAgainAndSetTheFlagAfter() throws Exception
    {
        final int[] runs = {0};
        final boolean[] flagSeen = {false};
        Thread.currentThread().interrupt();
        final String result = ChannelFile.withoutInterrupts(() ->
        {
            flagSeen[0] |= Thread.currentThread().isInterrupted();
            if (++runs[0] <= 2)
            {
                throw new java.nio.channels.ClosedByInterruptException();
            }
            return "done";
        });
        assertEquals("done", result);
        assertEquals(3, runs[0]);
        assertFalse(flagSeen[0], "the step runs with the flag put aside");
        assertTrue(Thread.interrupted(), "the flag is set again after");

        runs[0] = 0;
        assertThrows(java.nio.channels.ClosedByInterruptException.class, () -> ChannelFile.withoutInterrupts(() ->
        {
            runs[0]++;
            throw new java.nio.channels.ClosedByInterruptException();
        }));
        assertEquals(ChannelFile.INTERRUPTED_ATTEMPTS, runs[0]);
        assertTrue(Thread.interrupted(), "set after giving up too");

        assertEquals("plain", ChannelFile.withoutInterrupts(() -> "plain"));
        assertFalse(Thread.interrupted(), "no interrupt, no flag");
    }

    /**
     * An interrupt does not break create or open (a file channel is closed by a set flag or an interrupt landing in
     * it): on a thread whose flag is set both succeed and leave the flag set; with interrupts landing at random in
     * 300 creates and opens, every one succeeds, returns its channel, and leaves no temp. Before, create could throw
     * ClosedByInterruptException with the channel made (a retry then found it existing), report an interrupt as a
     * failure to allocate, and open failed on a thread whose flag was set, naming no file.
     */
    @Test
    void shouldCreateAndOpenWhateverTheInterrupts() throws Exception
    {
        Thread.currentThread().interrupt();
        try
        {
            try (ChannelFile created = ChannelFile.create(dir, NAME, options(RingKind.SPSC)))
            {
                assertTrue(Thread.currentThread().isInterrupted(), "flag kept by create");
                try (ChannelFile opened = ChannelFile.open(dir, NAME))
                {
                    assertTrue(Thread.currentThread().isInterrupted(), "flag kept by open");
                    assertEquals(created.creationTimeMs(), opened.creationTimeMs());
                }
            }
        }
        finally
        {
            Thread.interrupted();
        }
        ChannelFile.delete(dir, NAME);

        final SplittableRandom random = new SplittableRandom(7);
        final AtomicLong failures = new AtomicLong();
        final AtomicLong landed = new AtomicLong(); // interrupts that came while the worker was still in its calls
        final List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 300; i++)
        {
            final String name = "interrupted-" + i;
            final Thread worker = new Thread(() ->
            {
                try
                {
                    try (ChannelFile created = ChannelFile.create(dir, name, options(RingKind.SPSC)))
                    {
                        assertEquals(CAPACITY, created.capacity());
                    }
                    try (ChannelFile opened = ChannelFile.open(dir, name))
                    {
                        assertEquals(CAPACITY, opened.capacity());
                    }
                    if (Thread.currentThread().isInterrupted())
                    {
                        landed.incrementAndGet(); // the flag kept: it came during create or open, not after
                    }
                }
                catch (final Throwable ex)
                {
                    failures.incrementAndGet();
                    failed.add(ex);
                }
            });
            worker.start();
            final long delayNs = random.nextLong(400_000);
            final long startNs = System.nanoTime();
            while (System.nanoTime() - startNs < delayNs)
            {
                Thread.onSpinWait();
            }
            worker.interrupt();
            worker.join(10_000);
            assertFalse(worker.isAlive());
            assertTrue(Files.exists(ChannelFile.pathOf(dir, name)), name);
        }
        assertEquals(0, failures.get(), () -> failed.toString());
        // a run whose interrupts all came after the calls would show nothing (274 of 300 land here; 10% at least)
        assertTrue(landed.get() >= 30, "interrupts that landed inside create or open: " + landed.get() + " of 300");
        try (Stream<Path> left = Files.list(dir))
        {
            assertEquals(300, left.count(), "the 300 channels and no temp");
        }
    }

    @Test
    void shouldCreateTheDirectoryIfMissing() throws Exception
    {
        final Path nested = dir.resolve("a").resolve("b");
        try (ChannelFile file = ChannelFile.create(nested, NAME, options(RingKind.SPSC)))
        {
            assertTrue(Files.isRegularFile(file.path()));
        }
    }

    @Test
    void shouldCreateOwnerOnlyFileByDefault() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, NAME, options(RingKind.SPSC)))
        {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        }
    }

    @Test
    void shouldApplyPermissionsFromOptions() throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, NAME, options(RingKind.SPSC).permissions("rw-rw----")))
        {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        }
    }

    @Test
    void shouldRefuseToCreateExistingChannelAndLeaveItUntouched() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final String before = digest(ChannelFile.pathOf(dir, NAME));

        final FileAlreadyExistsException ex = assertThrows(FileAlreadyExistsException.class,
            () -> ChannelFile.create(dir, NAME, options(RingKind.MPSC)));
        assertTrue(ex.getMessage().contains(NAME), ex.getMessage());
        assertEquals(before, digest(ChannelFile.pathOf(dir, NAME)));
        assertEquals(List.of(NAME + ChannelFile.SUFFIX), listDir(dir), "no temporary file left behind");
    }

    /**
     * Eight threads open or create one channel at once, each held after its look for the file until all eight have
     * looked: so all eight find no file and create, at the same time, every round. Exactly one create links its file;
     * the seven others are refused, look again, find it and open it. Every call ends with that one file mapped (a
     * word written through one mapping is read through all), and no other file, temporary or not, is left.
     */
    @Test
    void shouldCreateExactlyOneFileWhenManyThreadsOpenOrCreateAtOnce() throws Exception
    {
        final int threads = 8;
        final int rounds = 10;
        final ExecutorService executor = Executors.newFixedThreadPool(threads);
        try
        {
            for (int round = 0; round < rounds; round++)
            {
                final String name = "race-" + round;
                final CyclicBarrier looked = new CyclicBarrier(threads);
                final List<String> looks = Collections.synchronizedList(new ArrayList<>());
                final List<Future<ChannelFile>> futures = new ArrayList<>();
                for (int i = 0; i < threads; i++)
                {
                    futures.add(executor.submit(() -> ChannelFile.openOrCreate(dir, name, options(RingKind.MPSC),
                        (attempt, found) ->
                        {
                            looks.add("attempt " + attempt + (found ? " opens" : " creates"));
                            if (1 == attempt)
                            {
                                awaitAll(looked);
                            }
                        })));
                }
                final List<ChannelFile> files = new ArrayList<>();
                try
                {
                    for (final Future<ChannelFile> future : futures)
                    {
                        files.add(future.get(30, TimeUnit.SECONDS));
                    }
                    final Map<String, Long> counts = looks.stream()
                        .collect(Collectors.groupingBy(look -> look, TreeMap::new, Collectors.counting()));
                    assertEquals(Map.of("attempt 1 creates", (long)threads, "attempt 2 opens", threads - 1L), counts,
                        "all create, one links, the others open what it built; round " + round);
                    final long marker = 0x5EED_0000L + round;
                    files.get(0).ringBuffer().putLongVolatile(0, marker);
                    for (final ChannelFile file : files)
                    {
                        assertEquals(files.get(0).creationTimeMs(), file.creationTimeMs(), "round " + round);
                        assertEquals(marker, file.ringBuffer().getLongVolatile(0), "one file mapped by all");
                        assertEquals(RingKind.MPSC, file.kind());
                    }
                }
                finally
                {
                    files.forEach(ChannelFile::close);
                    closeTheRest(futures, files.size()); // those a failed get left behind
                }
            }
        }
        finally
        {
            executor.shutdownNow();
        }
        final List<String> expected = new ArrayList<>();
        for (int round = 0; round < rounds; round++)
        {
            expected.add("race-" + round + ChannelFile.SUFFIX);
        }
        assertEquals(expected.stream().sorted().collect(Collectors.toList()), listDir(dir),
            "one file per channel and no temporary files");
    }

    /**
     * Another process that deletes the channel after every look that found it and creates it after every look that
     * did not defeats every attempt. openOrCreate makes {@link ChannelFile#OPEN_OR_CREATE_ATTEMPTS} of them, both
     * kinds in turn, and then gives up with a NoSuchFileException that names the file, the channel and the number of
     * attempts, the last race as its cause. The other process is stood in for through the package-private seam that
     * runs between each look and its open or create.
     */
    @Test
    void shouldGiveUpAfterTheAttemptLimitNamingTheFile() throws Exception
    {
        final int limit = ChannelFile.OPEN_OR_CREATE_ATTEMPTS;
        final List<Boolean> looks = new ArrayList<>();
        final NoSuchFileException ex = assertThrows(NoSuchFileException.class,
            () -> ChannelFile.openOrCreate(dir, NAME, options(RingKind.SPSC), (attempt, found) ->
            {
                assertTrue(attempt <= limit, "attempt " + attempt + " past the limit");
                looks.add(found);
                if (found)
                {
                    assertTrue(ChannelFile.delete(dir, NAME));
                }
                else
                {
                    ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
                }
            }));

        assertEquals(limit, looks.size(), "attempts");
        for (int i = 0; i < limit; i++)
        {
            assertEquals(1 == i % 2, looks.get(i), "attempt " + (i + 1) + " found the file the one before made");
        }
        final Path path = ChannelFile.pathOf(dir, NAME);
        assertEquals(path.toString(), ex.getFile());
        assertTrue(ex.getMessage().contains(path.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("channel '" + NAME + "' was deleted or created by another process under " +
            "each of " + limit + " attempts"), ex.getMessage());
        assertInstanceOf(NoSuchFileException.class, ex.getCause(), "the last attempt's open of a deleted file");
        assertEquals(List.of(), listDir(dir), "no file left, temporary or not");
    }

    /**
     * Another thread (a process, in use) deletes the channel over and over while this one opens or creates it: every
     * call must end with a file mapped, never with the NoSuchFileException of a file deleted between the look and the
     * open (or between create's link and its open). Each call's file is checked as built by these options, and the
     * deleter must have deleted files in the meantime, or the race was never run.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldOpenOrCreateWhileAnotherProcessDeletesTheFile() throws Exception
    {
        final int calls = 2000;
        final Path path = dir.resolve(NAME + ChannelFile.SUFFIX);
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong deletes = new AtomicLong();
        final Thread deleter = new Thread(() ->
        {
            // each file the calls make is deleted once, after a random 0 to 200 us, so the deletes land anywhere in
            // a call: between its look and its open, between create's link and its open, or after it
            final SplittableRandom random = new SplittableRandom(7);
            while (running.get())
            {
                if (!Files.exists(path))
                {
                    Thread.onSpinWait();
                    continue;
                }
                final long deleteAtNs = System.nanoTime() + random.nextLong(200_000);
                while (System.nanoTime() < deleteAtNs)
                {
                    Thread.onSpinWait();
                }
                try
                {
                    if (Files.deleteIfExists(path))
                    {
                        deletes.incrementAndGet();
                    }
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        }, "deleter");
        deleter.start();
        try
        {
            for (int i = 0; i < calls; i++)
            {
                try (ChannelFile file = ChannelFile.openOrCreate(dir, NAME, options(RingKind.SPSC)))
                {
                    assertEquals(RingKind.SPSC, file.kind(), "call " + i);
                    assertEquals(CAPACITY, file.capacity(), "call " + i);
                }
            }
        }
        finally
        {
            running.set(false);
            deleter.join();
        }
        assertTrue(deletes.get() >= 20, "the deleter ran beside the calls: " + deletes.get() + " deletes");
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().contains(".tmp-"))
                .collect(Collectors.toList()), "no temporary file left");
        }
    }

    /**
     * A name that always looks absent but can never be created (a link to nowhere) is refused at once, naming the
     * channel and why, rather than retried as a race (each retry builds a whole temporary file).
     */
    @Test
    void shouldRefuseOpenOrCreateOnALinkToNothing() throws Exception
    {
        Files.createSymbolicLink(dir.resolve(NAME + ChannelFile.SUFFIX), dir.resolve("nowhere"));
        final NoSuchFileException ex = assertThrows(NoSuchFileException.class,
            () -> ChannelFile.openOrCreate(dir, NAME, options(RingKind.SPSC)));
        assertTrue(ex.getMessage().contains("channel '" + NAME + "' is a symbolic link to nothing"), ex.getMessage());
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(NAME + ChannelFile.SUFFIX), files.map(p -> p.getFileName().toString())
                .collect(Collectors.toList()), "no temporary file left");
        }
    }

    /**
     * A failure about another file than the channel's (its directory, a link to nothing here) is no race: it is
     * thrown as it is, at the first attempt.
     */
    @Test
    void shouldNotRetryAFailureAboutTheDirectory() throws Exception
    {
        final Path directory = dir.resolve("channels");
        Files.createSymbolicLink(directory, dir.resolve("nowhere"));
        final FileAlreadyExistsException ex = assertThrows(FileAlreadyExistsException.class,
            () -> ChannelFile.openOrCreate(directory, NAME, options(RingKind.SPSC)));
        assertEquals(directory.toString(), ex.getFile());
    }

    @Test
    void shouldAdoptKindCapacityAndLimitsWhenOpenedWithoutOptions() throws Exception
    {
        final ChannelOptions options = ChannelOptions.defaults()
            .kind(RingKind.MPSC).capacity(8192).maxMessageLength(100).stuckClaimTimeoutNs(123_456_789L);
        ChannelFile.create(dir, NAME, options).close();
        try (ChannelFile file = ChannelFile.open(dir, NAME))
        {
            assertEquals(RingKind.MPSC, file.kind());
            assertEquals(8192, file.capacity());
            assertEquals(100, file.maxMessageLength());
            assertEquals(123_456_789L, file.stuckClaimTimeoutNs());
            assertEquals(RingKind.MPSC, file.ring().kind());
            assertEquals(100, file.ring().maxMessageLength());
            assertEquals(8192, file.ring().capacity());
        }
        try (ChannelFile file = ChannelFile.open(dir, NAME, options))
        {
            assertEquals(8192, file.capacity(), "matching expectations are accepted");
        }
    }

    @Test
    void shouldRefuseOpenWithDifferentKind() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().kind(RingKind.MPSC)));
        assertTrue(ex.getMessage().contains("kind=SPSC") && ex.getMessage().contains("kind=MPSC"), ex.getMessage());
        assertTrue(ex.getMessage().contains(ChannelFile.pathOf(dir, NAME).toString()), ex.getMessage());
    }

    @Test
    void shouldRefuseOpenWithDifferentCapacity() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().capacity(2 * CAPACITY)));
        assertTrue(ex.getMessage().contains("capacity=" + CAPACITY), ex.getMessage());
        assertTrue(ex.getMessage().contains("capacity=" + 2 * CAPACITY), ex.getMessage());
    }

    @Test
    void shouldRefuseOpenWithDifferentMaxMessageLength() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().maxMessageLength(16)));
        assertTrue(ex.getMessage().contains("maxMessageLength=16"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"r--r-----", "-w-------", "---rw-rw-", "rw-", "rw-rw-rw-x", "rwxrwxrw?"})
    void shouldRefusePermissionsThatAreMalformedOrLeaveOutOwnerReadOrWrite(final String permissions)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelOptions.defaults().permissions(permissions));
        assertTrue(ex.getMessage().contains("permissions=\"" + permissions + "\""), ex.getMessage());
    }

    @Test
    void shouldDefaultToADirectoryOfTheUsersOwn()
    {
        final String saved = System.getProperty(ChannelFile.DIR_PROP_NAME);
        final String savedUser = System.getProperty("user.name");
        try
        {
            System.clearProperty(ChannelFile.DIR_PROP_NAME);
            System.setProperty("user.name", "alice");
            final java.nio.file.Path shm = java.nio.file.Paths.get("/dev/shm");
            final java.nio.file.Path expectedParent = Files.isDirectory(shm) && Files.isWritable(shm) ?
                shm : java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"));
            assertEquals(expectedParent.resolve("conduit-alice"), ChannelFile.defaultDirectory());
            System.setProperty("user.name", "bob/../x y");
            assertEquals("conduit-bob_.._x_y", ChannelFile.defaultDirectory().getFileName().toString());
            System.setProperty(ChannelFile.DIR_PROP_NAME, dir.toString());
            assertEquals(dir, ChannelFile.defaultDirectory());
        }
        finally
        {
            System.setProperty("user.name", savedUser);
            if (null == saved)
            {
                System.clearProperty(ChannelFile.DIR_PROP_NAME);
            }
            else
            {
                System.setProperty(ChannelFile.DIR_PROP_NAME, saved);
            }
        }
    }

    @Test
    void shouldRefuseOpenWithDifferentStuckClaimTimeoutAndAcceptTheSame() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC).stuckClaimTimeoutNs(5_000_000_000L)).close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().stuckClaimTimeoutNs(1_000_000L)));
        assertTrue(ex.getMessage().contains("stuckClaimTimeoutNs=5000000000") &&
            ex.getMessage().contains("stuckClaimTimeoutNs=1000000"), ex.getMessage());
        try (ChannelFile file =
            ChannelFile.open(dir, NAME, ChannelOptions.defaults().stuckClaimTimeoutNs(5_000_000_000L)))
        {
            assertEquals(5_000_000_000L, file.stuckClaimTimeoutNs());
        }
    }

    @Test
    void shouldRefuseOpenWithDifferentPermissionsAndAcceptTheSame() throws Exception
    {
        assumeTrue(null != Files.getFileAttributeView(dir, PosixFileAttributeView.class), "POSIX file system");
        ChannelFile.create(dir, NAME, options(RingKind.SPSC).permissions("rw-rw----")).close();
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelFile.open(dir, NAME, ChannelOptions.defaults().permissions("rw-------")));
        assertTrue(ex.getMessage().contains("permissions=rw-rw----") &&
            ex.getMessage().contains("permissions=rw-------"), ex.getMessage());
        ChannelFile.open(dir, NAME, ChannelOptions.defaults().permissions("rw-rw----")).close();
        ChannelFile.openOrCreate(dir, NAME, options(RingKind.SPSC).permissions("rw-rw----")).close();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {".hidden", "-dash", "a/b", "../up", "a b", "tab\t", "name*", "é"})
    void shouldRefuseBadNames(final String name)
    {
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.pathOf(dir, name));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.create(dir, name, options(RingKind.SPSC)));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.open(dir, name));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.openOrCreate(dir, name, options(RingKind.SPSC)));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.delete(dir, name));
    }

    @Test
    void shouldRefuseNameLongerThan128Characters()
    {
        ChannelFile.pathOf(dir, "n".repeat(128));
        assertThrows(IllegalArgumentException.class, () -> ChannelFile.pathOf(dir, "n".repeat(129)));
    }

    @Test
    void shouldReportMissingChannelAsNoSuchFile()
    {
        final NoSuchFileException ex = assertThrows(NoSuchFileException.class, () -> ChannelFile.open(dir, NAME));
        assertTrue(ex.getMessage().contains(NAME), ex.getMessage());
    }

    @Test
    void shouldRefuseBadMagic() throws Exception
    {
        createAndCorrupt(MAGIC_OFFSET, Long.BYTES, MAGIC ^ 0xFF);
        assertOpenRefused("magic=" + (MAGIC ^ 0xFF));
    }

    @Test
    void shouldRefuseZeroMagicOfHalfBuiltFile() throws Exception
    {
        createAndCorrupt(MAGIC_OFFSET, Long.BYTES, 0);
        assertOpenRefused("magic=0");
    }

    @ParameterizedTest(name = "layoutVersion={0}")
    @ValueSource(ints = {LAYOUT_VERSION - 1, LAYOUT_VERSION + 1})
    void shouldRefuseOtherLayoutVersion(final int version) throws Exception
    {
        // the one before too: version 4 held bare pids, and took the words of version 5 for dead processes
        createAndCorrupt(LAYOUT_VERSION_OFFSET, Integer.BYTES, version);
        assertOpenRefused("layoutVersion=" + version);
    }

    @Test
    void shouldRefuseUnknownRingKind() throws Exception
    {
        createAndCorrupt(RING_KIND_OFFSET, Integer.BYTES, 99);
        assertOpenRefused("ringKind=99");
    }

    @Test
    void shouldRefuseCapacityNotPowerOfTwo() throws Exception
    {
        createAndCorrupt(CAPACITY_OFFSET, Integer.BYTES, CAPACITY + 8);
        assertOpenRefused("capacity=" + (CAPACITY + 8));
    }

    @Test
    void shouldRefuseMaxMessageLengthTooBig() throws Exception
    {
        createAndCorrupt(MAX_MESSAGE_LENGTH_OFFSET, Integer.BYTES, defaultMaxMessageLength(CAPACITY) + 1);
        assertOpenRefused("maxMessageLength=" + (defaultMaxMessageLength(CAPACITY) + 1));
    }

    @Test
    void shouldRefuseNegativeMaxMessageLength() throws Exception
    {
        createAndCorrupt(MAX_MESSAGE_LENGTH_OFFSET, Integer.BYTES, -1);
        assertOpenRefused("maxMessageLength=-1");
    }

    @Test
    void shouldRefuseFileLengthFieldThatDisagreesWithCapacity() throws Exception
    {
        createAndCorrupt(FILE_LENGTH_OFFSET, Long.BYTES, fileLength(CAPACITY) + 4096);
        assertOpenRefused("fileLength=" + (fileLength(CAPACITY) + 4096));
    }

    @Test
    void shouldRefuseTruncatedFile() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        try (FileChannel channel = FileChannel.open(ChannelFile.pathOf(dir, NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(fileLength(CAPACITY) - 4096);
        }
        assertOpenRefused("file length (on disk)=" + (fileLength(CAPACITY) - 4096));
    }

    @Test
    void shouldRefuseFileShorterThanHeader() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        try (FileChannel channel = FileChannel.open(ChannelFile.pathOf(dir, NAME), StandardOpenOption.WRITE))
        {
            channel.truncate(100);
        }
        assertOpenRefused("file length (on disk)=100");
    }

    @Test
    void shouldRefuseEmptyFile() throws Exception
    {
        Files.createFile(ChannelFile.pathOf(dir, NAME));
        assertOpenRefused("file length (on disk)=0");
    }

    @Test
    void shouldRefuseOtherHeaderLength() throws Exception
    {
        createAndCorrupt(HEADER_LENGTH_OFFSET, Integer.BYTES, 4096);
        assertOpenRefused("headerLength=4096");
    }

    @Test
    void shouldRefuseNonPositiveStuckClaimTimeout() throws Exception
    {
        createAndCorrupt(STUCK_CLAIM_TIMEOUT_OFFSET, Long.BYTES, 0);
        assertOpenRefused("stuckClaimTimeoutNs=0");
    }

    /**
     * A stuck claim timeout over a day in the file is refused at open, as the options refuse it: a live producer's
     * claim that never commits is skipped within a day at worst, whatever the file says.
     */
    @Test
    void shouldRefuseAStuckClaimTimeoutOverADay() throws Exception
    {
        createAndCorrupt(STUCK_CLAIM_TIMEOUT_OFFSET, Long.BYTES, Long.MAX_VALUE);
        assertOpenRefused("stuckClaimTimeoutNs=" + Long.MAX_VALUE);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> ChannelOptions.defaults().stuckClaimTimeoutNs(ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS + 1));
        assertTrue(ex.getMessage().contains("stuckClaimTimeoutNs=" + (ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS + 1)),
            ex.getMessage());
        assertEquals(ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS, ChannelOptions.defaults()
            .stuckClaimTimeoutNs(ChannelOptions.MAX_STUCK_CLAIM_TIMEOUT_NS).stuckClaimTimeoutNs());
    }

    /**
     * Attaching to a file with unread messages, whether only opening it or also making its ring and asking its
     * size, writes nothing: every byte of the file stays as it was.
     */
    @ParameterizedTest
    @EnumSource(RingKind.class)
    void shouldNeverRewriteExistingFileWhenAttaching(final RingKind kind) throws Exception
    {
        try (ChannelFile file = ChannelFile.create(dir, NAME, options(kind)))
        {
            final Ring ring = file.ring();
            final UnsafeBuffer body = new UnsafeBuffer(new byte[100]);
            for (int i = 0; i < 50; i++)
            {
                body.putInt(0, i);
                assertTrue(ring.offer(1 + i, body, 0, 10 + i));
            }
        }
        final Path path = ChannelFile.pathOf(dir, NAME);
        final String before = digest(path);

        ChannelFile.open(dir, NAME).close();
        assertEquals(before, digest(path), "open and close");

        try (ChannelFile file = ChannelFile.open(dir, NAME, options(kind)))
        {
            final Ring ring = file.ring();
            assertTrue(ring.size() > 0);
            assertTrue(ring.tailPosition() > ring.headPosition());
        }
        assertEquals(before, digest(path), "open, ring(), size(), positions, close");

        try (ChannelFile file = ChannelFile.openOrCreate(dir, NAME, options(kind)))
        {
            assertTrue(file.ring().size() > 0);
        }
        assertEquals(before, digest(path), "openOrCreate of an existing file");
    }

    @Test
    void shouldLeaveNoTemporaryFilesAfterCreate() throws Exception
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        ChannelFile.create(dir, "other", options(RingKind.MPSC)).close();
        assertEquals(List.of(NAME + ChannelFile.SUFFIX, "other" + ChannelFile.SUFFIX), listDir(dir));
    }

    /**
     * A creator killed while building its file leaves its temporary file behind. Such a file must neither block a
     * create nor be deleted by one, not even by a create that fails: only the temporary file a create made itself is
     * its to delete.
     */
    @Test
    void shouldNeitherTripOverNorDeleteATemporaryFileLeftByAnotherCreator() throws Exception
    {
        final List<String> left = List.of("." + NAME + ".tmp-" + ProcessHandle.current().pid() + "-1",
            "." + NAME + ".tmp-1234567890");
        for (final String name : left)
        {
            Files.write(dir.resolve(name), new byte[]{1, 2, 3});
        }

        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        // a second create builds its own temporary file, fails to link it, and must delete that one only
        assertThrows(FileAlreadyExistsException.class, () -> ChannelFile.create(dir, NAME, options(RingKind.SPSC)));

        final List<String> expected = new ArrayList<>(left);
        expected.add(NAME + ChannelFile.SUFFIX);
        expected.sort(null);
        assertEquals(expected, listDir(dir), "no temporary file of its own left, none of the others deleted");
        for (final String name : left)
        {
            assertArrayEquals(new byte[]{1, 2, 3}, Files.readAllBytes(dir.resolve(name)), name);
        }
    }

    /**
     * A temporary file whose name holds the pid of a creator that no longer runs (killed mid-create: SIGKILL, the OOM
     * killer while allocating a large file) would keep its space in /dev/shm for good: the next create or delete of
     * that channel removes it. Those of a running pid, and names of another shape, stay.
     */
    @Test
    void shouldRemoveTheTemporaryFilesOfDeadCreators() throws Exception
    {
        final long deadPid = Integer.MAX_VALUE; // above the kernel's pid limit: no process has it
        final String dead = "." + NAME + ".tmp-" + deadPid + "-7";
        final String live = "." + NAME + ".tmp-" + ProcessHandle.current().pid() + "-8";
        final String otherShape = "." + NAME + ".tmp-x9";
        final String otherChannel = ".other.tmp-" + deadPid + "-9";
        // the temp of a channel whose name starts as this one's does, its creator's pid dead: not this channel's
        final String longerName = "." + NAME + ".tmp-7.tmp-" + deadPid + "-3";
        for (final String name : List.of(dead, live, otherShape, otherChannel, longerName))
        {
            Files.write(dir.resolve(name), new byte[]{1, 2, 3});
        }
        final String directoryOfThatShape = "." + NAME + ".tmp-" + deadPid + "-4";
        Files.createDirectory(dir.resolve(directoryOfThatShape));
        Files.write(dir.resolve(directoryOfThatShape).resolve("inside"), new byte[]{1});

        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final List<String> kept = List.of(live, otherChannel, otherShape, longerName, directoryOfThatShape);
        final List<String> withChannel = new ArrayList<>(kept);
        withChannel.add(NAME + ChannelFile.SUFFIX);
        assertEquals(withChannel.stream().sorted().toList(), listDir(dir),
            "the dead creator's temp removed by create, nothing else");

        Files.write(dir.resolve(dead), new byte[]{1, 2, 3});
        assertTrue(ChannelFile.delete(dir, NAME));
        assertEquals(kept.stream().sorted().toList(), listDir(dir), "and by delete");
    }

    /**
     * No sparse file: every block is allocated at creation, so a full file system fails there and not as a SIGBUS
     * when a page is first touched. The check is only meaningful where a sparse file shows fewer blocks, which is
     * checked first.
     */
    @Test
    void shouldAllocateEveryBlockAtCreation() throws Exception
    {
        final Path sparse = dir.resolve("sparse.probe");
        try (FileChannel channel = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(new byte[]{1}), fileLength(CAPACITY) - 1);
        }
        final long sparseAllocated = allocatedBytes(sparse);
        assumeTrue(sparseAllocated < Files.size(sparse),
            "this file system does not show sparse files (" + sparseAllocated + " bytes allocated)");
        Files.delete(sparse);

        try (ChannelFile file = ChannelFile.create(dir, NAME, options(RingKind.SPSC)))
        {
            assertEquals(fileLength(CAPACITY), Files.size(file.path()));
            assertEquals(FILE_HEADER_LENGTH + CAPACITY, Files.size(file.path()));
            final long allocated = allocatedBytes(file.path());
            assertTrue(allocated >= Files.size(file.path()),
                "allocated=" + allocated + " bytes for a file of " + Files.size(file.path()));
        }
    }

    /**
     * A full file system is simulated with a file size limit ({@code ulimit -f}) on a child JVM, which needs no
     * privilege: the JVM ignores SIGXFSZ, so the write fails with EFBIG. Creation must fail with an IOException that
     * names the file, and leave nothing behind.
     */
    @Test
    void shouldFailCreationWithIOExceptionNamingFileWhenFileSystemIsFull() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh for ulimit");
        final Path channels = Files.createDirectory(dir.resolve("channels"));
        final Path output = dir.resolve("create.out");
        final List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "ulimit -f 1024 && exec \"$@\"", "sh",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:-UsePerfData", "-XX:+UseSerialGC",
            "-cp", System.getProperty("java.class.path"), CreateChannelProcess.class.getName(),
            channels.toString(), NAME, String.valueOf(4 << 20)));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        try
        {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "child did not finish");
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals(3, process.exitValue(), text);
            assertTrue(text.startsWith("IOEXCEPTION"), text);
            assertTrue(text.contains(channels.toString()) && text.contains(NAME), "names the file: " + text);
            assertEquals(List.of(), listDir(channels), "nothing left behind");
        }
        finally
        {
            process.destroyForcibly();
        }
    }

    @Test
    void shouldFailCreationInReadOnlyDirectoryWithIOExceptionNamingFile() throws Exception
    {
        final Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-x------"));
        try
        {
            assumeTrue(!Files.isWritable(readOnly), "permissions are not enforced for this user (root?)");
            final IOException ex = assertThrows(IOException.class,
                () -> ChannelFile.create(readOnly, NAME, options(RingKind.SPSC)));
            assertTrue(ex.getMessage().contains(readOnly.toString()) && ex.getMessage().contains(NAME),
                ex.getMessage());
            assertEquals(List.of(), listDir(readOnly));
        }
        finally
        {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static ChannelOptions options(final RingKind kind)
    {
        return ChannelOptions.defaults().kind(kind).capacity(CAPACITY);
    }

    private void createAndCorrupt(final int offset, final int length, final long value) throws IOException
    {
        ChannelFile.create(dir, NAME, options(RingKind.SPSC)).close();
        final ByteBuffer bytes = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        if (Long.BYTES == length)
        {
            bytes.putLong(0, value);
        }
        else
        {
            bytes.putInt(0, (int)value);
        }
        try (FileChannel channel = FileChannel.open(ChannelFile.pathOf(dir, NAME), StandardOpenOption.WRITE))
        {
            assertEquals(length, channel.write(bytes, offset));
        }
    }

    /**
     * Open must throw naming the field, its value and the file, and leave the file as it was.
     */
    private void assertOpenRefused(final String fieldAndValue) throws Exception
    {
        final Path path = ChannelFile.pathOf(dir, NAME);
        final String before = digest(path);
        for (final ChannelOptions expected : List.of(ChannelOptions.defaults(), options(RingKind.SPSC)))
        {
            final CorruptChannelException ex =
                assertThrows(CorruptChannelException.class, () -> ChannelFile.open(dir, NAME, expected));
            assertTrue(ex.getMessage().contains(fieldAndValue), ex.getMessage());
            assertTrue(ex.getMessage().contains("file=" + path), ex.getMessage());
        }
        final CorruptChannelException ex = assertThrows(CorruptChannelException.class,
            () -> ChannelFile.openOrCreate(dir, NAME, options(RingKind.SPSC)));
        assertTrue(ex.getMessage().contains(fieldAndValue), "openOrCreate never replaces a bad file: " + ex);
        assertEquals(before, digest(path), "a refused file is left as it was");
    }

    /**
     * Close the files of the futures from {@code from} on, waiting a little for each: a test that failed on one
     * future must not leave the others' files mapped.
     */
    private static void closeTheRest(final List<Future<ChannelFile>> futures, final int from)
    {
        for (final Future<ChannelFile> future : futures.subList(from, futures.size()))
        {
            try
            {
                future.get(10, TimeUnit.SECONDS).close();
            }
            catch (final Exception ex)
            {
                future.cancel(true); // it failed, or is stuck: nothing of it to close
            }
        }
    }

    private static void awaitAll(final CyclicBarrier barrier)
    {
        try
        {
            barrier.await(10, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("not every thread got to the barrier", ex);
        }
    }

    private static String digest(final Path path) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path)));
    }

    private static List<String> listDir(final Path directory) throws IOException
    {
        try (Stream<Path> entries = Files.list(directory))
        {
            return entries.map(entry -> entry.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    /**
     * @return bytes allocated to the file, from {@code stat}; skips the test if {@code stat} is missing.
     */
    static long allocatedBytes(final Path path) throws Exception
    {
        final Process process;
        try
        {
            process = new ProcessBuilder("stat", "-c", "%b %B", path.toString()).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            assumeTrue(false, "no stat command: " + ex);
            throw ex;
        }
        final String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeTrue(process.waitFor(10, TimeUnit.SECONDS) && 0 == process.exitValue(), "stat failed: " + text);
        final String[] fields = text.split("\\s+");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }
}
