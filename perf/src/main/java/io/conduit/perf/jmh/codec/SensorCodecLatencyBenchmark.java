package io.conduit.perf.jmh.codec;

import io.conduit.MessageHandler;
import io.conduit.codec.MessageLengths;
import io.conduit.codec.SbeDispatcher;
import io.conduit.codec.SbeMessageHandler;
import io.conduit.codec.SbePublisher;
import io.conduit.codec.UnknownMessagePolicy;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import io.conduit.file.ChannelFile;
import io.conduit.file.ChannelOptions;
import io.conduit.perf.harness.Harness;
import io.conduit.ring.Ring;
import io.conduit.ring.RingKind;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * One sensor reading sent and received through a ring on one thread, SBE against raw bytes in the same run: claim,
 * encode in place, commit, then read and decode every field into a sum. One SPSC ring of 64 KiB in a channel file
 * under {@code /dev/shm}; it never holds more than one message.
 * <ul>
 *     <li>{@code sbe}: {@link SbePublisher} claims {@link MessageLengths#SENSOR_READING_LENGTH} (SBE header and
 *     block), the {@link SensorReadingEncoder} writes every field, commit; {@code ring.read} with an
 *     {@link SbeDispatcher} that checks the record and hands a {@link SensorReadingDecoder} to the handler.</li>
 *     <li>{@code raw-offer} (the anchor, "raw bytes offer/read"): the same fields stored with
 *     {@code putLong}/{@code putDouble}/{@code putByte}, at the offsets SBE uses, into a 26-byte scratch buffer, which
 *     {@code ring.offer} copies into the ring; {@code ring.read} with a {@link MessageHandler} that loads them back.
 *     No header, no checks beyond the ring's own.</li>
 *     <li>{@code raw} (a stricter anchor, with no copy, as SBE has none): {@code ring.tryClaim} of the 26-byte block,
 *     the same fields stored straight into the claim, commit; read back by the same handler.</li>
 * </ul>
 * The figures to report: {@code sbe / raw-offer} (issue 3's target: at most 1.2), {@code sbe / raw}, and
 * {@code gc.alloc.rate.norm} of 0 B/op for all three, under {@code -prof gc}. Fork to fork this benchmark moves by
 * more than the difference between the paths: compare paths from forks run one after another, alternated (the
 * command is in perf/README.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class SensorCodecLatencyBenchmark
{
    static final int CAPACITY = 64 * 1024;
    static final int READ_LIMIT = 1;
    static final int RAW_TYPE_ID = 1;

    // the raw layout: SensorReading's block, at SBE's offsets
    static final int SENSOR_ID_OFFSET = 0;
    static final int TIMESTAMP_NS_OFFSET = SENSOR_ID_OFFSET + Long.BYTES;
    static final int VALUE_OFFSET = TIMESTAMP_NS_OFFSET + Long.BYTES;
    static final int UNIT_OFFSET = VALUE_OFFSET + Double.BYTES;
    static final int QUALITY_OFFSET = UNIT_OFFSET + Byte.BYTES;
    static final int RAW_LENGTH = QUALITY_OFFSET + Byte.BYTES;

    /** The path under test: {@code sbe}, or an anchor: {@code raw-offer} or {@code raw}. */
    @Param({"sbe", "raw-offer", "raw"})
    public String path;

    private Path dir;
    private ChannelFile channel;
    private Ring ring;
    private boolean sbe;
    private boolean copy;
    private long sequence;
    private SbePublisher publisher;
    private final SensorReadingEncoder encoder = new SensorReadingEncoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[RAW_LENGTH]);
    private final SbeSum sbeSum = new SbeSum();
    private final RawSum rawSum = new RawSum();
    private SbeDispatcher dispatcher;

    /**
     * Adds up every field of each SensorReading the dispatcher hands it.
     */
    static final class SbeSum implements SbeMessageHandler<SensorReadingDecoder>
    {
        long sum;
        long messages;

        @Override
        public void onMessage(final SensorReadingDecoder decoder)
        {
            sum += decoder.sensorId() + decoder.timestampNs() + Double.doubleToRawLongBits(decoder.value()) +
                decoder.unit().value() + decoder.quality().value();
            messages++;
        }
    }

    /**
     * Adds up every field of each raw record, read at fixed offsets.
     */
    static final class RawSum implements MessageHandler
    {
        long sum;
        long messages;

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            sum += buffer.getLong(offset + SENSOR_ID_OFFSET) + buffer.getLong(offset + TIMESTAMP_NS_OFFSET) +
                Double.doubleToRawLongBits(buffer.getDouble(offset + VALUE_OFFSET)) +
                (buffer.getByte(offset + UNIT_OFFSET) & 0xFF) + (buffer.getByte(offset + QUALITY_OFFSET) & 0xFF);
            messages++;
        }
    }

    /**
     * Create the channel file, the publisher and the dispatcher.
     *
     * @throws Exception if the channel file cannot be created.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        switch (path)
        {
            case "sbe":
                sbe = true;
                break;
            case "raw-offer":
                copy = true;
                break;
            case "raw":
                break;
            default:
                throw new IllegalArgumentException("path=" + path + " expected sbe, raw-offer or raw");
        }
        dir = Files.createTempDirectory(Harness.baseDirectory(), "conduit-jmh");
        channel = ChannelFile.create(dir, "codec", ChannelOptions.defaults().capacity(CAPACITY).kind(RingKind.SPSC));
        ring = channel.ring();
        publisher = new SbePublisher(ring);
        dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW).register(new SensorReadingDecoder(), sbeSum);
    }

    /**
     * Check that every message sent was read and none was rejected, then close and delete the channel file.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        try
        {
            // each call read back the message it sent, so nothing is left: no backlog built up while measuring
            // (both records fill one 64-byte line, so the ring never pads the end of a lap)
            final int left = ring.size();
            final long read = sbeSum.messages + rawSum.messages;
            if (read != sequence || 0 != dispatcher.rejectedCount() || 0 != left)
            {
                throw new IllegalStateException("path=" + path + " sent=" + sequence + " read=" + read +
                    " rejected=" + dispatcher.rejectedCount() + " left in ring=" + left);
            }
        }
        finally
        {
            channel.close();
            IoUtil.delete(dir.toFile(), true);
        }
    }

    /**
     * Send one reading and read it back.
     *
     * @return the running sum of every field read.
     */
    @Benchmark
    public long sendAndRead()
    {
        final long sequence = this.sequence++;
        if (sbe)
        {
            sendSbe(sequence);
            ring.read(dispatcher, READ_LIMIT);
            return sbeSum.sum;
        }
        else
        {
            if (copy)
            {
                offerRaw(sequence);
            }
            else
            {
                sendRaw(sequence);
            }
            ring.read(rawSum, READ_LIMIT);
            return rawSum.sum;
        }
    }

    private void sendSbe(final long sequence)
    {
        final SbePublisher publisher = this.publisher;
        final SensorReadingEncoder encoder = this.encoder;
        if (publisher.tryClaim(encoder, MessageLengths.SENSOR_READING_LENGTH) <= 0)
        {
            throw new IllegalStateException("ring full: path=sbe sequence=" + sequence);
        }
        try
        {
            encoder
                .sensorId(sequence & 1023)
                .timestampNs(sequence)
                .value(sequence * 0.5)
                .unit(Unit.CELSIUS)
                .quality(Quality.GOOD);
            publisher.commit();
        }
        catch (final Throwable ex)
        {
            if (publisher.hasOpenClaim())
            {
                publisher.abort();
            }
            throw ex;
        }
    }

    private void offerRaw(final long sequence)
    {
        final UnsafeBuffer scratch = this.scratch;
        scratch.putLong(SENSOR_ID_OFFSET, sequence & 1023);
        scratch.putLong(TIMESTAMP_NS_OFFSET, sequence);
        scratch.putDouble(VALUE_OFFSET, sequence * 0.5);
        scratch.putByte(UNIT_OFFSET, (byte)Unit.CELSIUS.value());
        scratch.putByte(QUALITY_OFFSET, (byte)Quality.GOOD.value());
        if (!ring.offer(RAW_TYPE_ID, scratch, 0, RAW_LENGTH))
        {
            throw new IllegalStateException("ring full: path=raw-offer sequence=" + sequence);
        }
    }

    private void sendRaw(final long sequence)
    {
        final Ring ring = this.ring;
        final int offset = ring.tryClaim(RAW_TYPE_ID, RAW_LENGTH);
        if (offset <= 0)
        {
            throw new IllegalStateException("ring full: path=raw sequence=" + sequence);
        }
        try
        {
            final AtomicBuffer buffer = ring.buffer();
            buffer.putLong(offset + SENSOR_ID_OFFSET, sequence & 1023);
            buffer.putLong(offset + TIMESTAMP_NS_OFFSET, sequence);
            buffer.putDouble(offset + VALUE_OFFSET, sequence * 0.5);
            buffer.putByte(offset + UNIT_OFFSET, (byte)Unit.CELSIUS.value());
            buffer.putByte(offset + QUALITY_OFFSET, (byte)Quality.GOOD.value());
            ring.commit(offset);
        }
        catch (final Throwable ex)
        {
            ring.abort(offset);
            throw ex;
        }
    }
}
