package io.conduit.perf.jmh.codec;

import io.conduit.codec.sbe.sensor.MessageHeaderDecoder;
import io.conduit.codec.sbe.sensor.MessageHeaderEncoder;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesIn;
import net.openhft.chronicle.bytes.BytesMarshallable;
import net.openhft.chronicle.bytes.BytesOut;
import org.agrona.BufferUtil;
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

import java.util.concurrent.TimeUnit;

/**
 * Encode and decode of one SensorReading into and out of a reused off-heap buffer, SBE against Chronicle Bytes in
 * the same run. No ring: this is the codec alone. Both start from and end in the same on-heap
 * {@link ChronicleSensorReading} object, so both pay for the same field loads and stores.
 * <ul>
 *     <li>{@code sbe}: {@link SensorReadingEncoder#wrapAndApplyHeader} and
 *     {@link SensorReadingDecoder#wrapAndApplyHeader} over an {@link UnsafeBuffer} on 64-byte aligned direct memory:
 *     the 8-byte SBE header and the 26-byte block.</li>
 *     <li>{@code chronicle-bytes} (the anchor): {@link ChronicleSensorReading#writeMarshallable} and
 *     {@link ChronicleSensorReading#readMarshallable}, written by hand (no reflection), over
 *     {@code Bytes.allocateDirect(64)}, cleared or rewound per operation: the same 26 bytes, no header. The SBE
 *     figure therefore includes the header, which this anchor has no equivalent of.</li>
 * </ul>
 * The figures to report: {@code sbe / chronicle-bytes} for {@code encode} and for {@code decode}, and 0 B/op for
 * both under {@code -prof gc}. Chronicle Bytes runs on JDK 17 and 25 with the flags in {@link Fork}; it needs no
 * {@code --add-opens} for this use. On JDK 24 and later, every fork prints one {@code sun.misc.Unsafe} deprecation
 * warning (JMH, Agrona, Chronicle and jffi all call it): harmless; {@code --sun-misc-unsafe-memory-access=allow} on
 * the {@code java} command line, which the forks inherit, silences it (JDK 17 rejects that flag, so it is not here).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    // Chronicle Core loads its ByteBuffer cleaners at start-up: without these two it warns (and works)
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    // Chronicle's posix layer (jnr-ffi) loads jffi's native library: JDK 22 and later warn without this
    "--enable-native-access=ALL-UNNAMED",
    "-Dchronicle.analytics.disable=true",
    "-Dchronicle.announcer.disable=true",
    "-Dslf4j.internal.verbosity=ERROR"})
public class SensorCodecEncodeBenchmark
{
    static final int BUFFER_LENGTH = 64;
    static final int CACHE_LINE_ALIGNMENT = 64;

    /** The codec under test: {@code sbe}, or the {@code chronicle-bytes} anchor. */
    @Param({"sbe", "chronicle-bytes"})
    public String codec;

    private boolean sbe;
    private long sequence;
    private final ChronicleSensorReading reading = new ChronicleSensorReading();
    private final UnsafeBuffer sbeBuffer =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(BUFFER_LENGTH, CACHE_LINE_ALIGNMENT));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SensorReadingEncoder encoder = new SensorReadingEncoder();
    private final SensorReadingDecoder decoder = new SensorReadingDecoder();
    private Bytes<Void> bytes;

    /**
     * SensorReading's fields as a Chronicle {@link BytesMarshallable}, marshalled by hand in SBE's field order.
     */
    public static final class ChronicleSensorReading implements BytesMarshallable
    {
        long sensorId;
        long timestampNs;
        double value;
        Unit unit = Unit.CELSIUS;
        Quality quality = Quality.GOOD;

        @Override
        public void writeMarshallable(final BytesOut<?> bytes)
        {
            bytes.writeLong(sensorId);
            bytes.writeLong(timestampNs);
            bytes.writeDouble(value);
            bytes.writeUnsignedByte(unit.value());
            bytes.writeUnsignedByte(quality.value());
        }

        @Override
        public void readMarshallable(final BytesIn<?> bytes)
        {
            sensorId = bytes.readLong();
            timestampNs = bytes.readLong();
            value = bytes.readDouble();
            unit = Unit.get((short)bytes.readUnsignedByte());
            quality = Quality.get((short)bytes.readUnsignedByte());
        }

        long sum()
        {
            return sensorId + timestampNs + Double.doubleToRawLongBits(value) + unit.value() + quality.value();
        }
    }

    /**
     * Allocate the Chronicle buffer (on the benchmark thread, which Chronicle then takes as its owner) and put one
     * encoded reading in each buffer for {@link #decode()}.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        switch (codec)
        {
            case "sbe":
                sbe = true;
                break;
            case "chronicle-bytes":
                sbe = false;
                break;
            default:
                throw new IllegalArgumentException("codec=" + codec);
        }
        bytes = Bytes.allocateDirect(BUFFER_LENGTH);
        final ChronicleSensorReading reading = this.reading;
        reading.sensorId = 42;
        reading.timestampNs = 1_700_000_000_000_000_000L;
        reading.value = 21.5;
        encodeSbe(reading);
        encodeChronicle(reading);
        final long expected = reading.sum();
        if (expected != decode())
        {
            throw new IllegalStateException("codec=" + codec + " decoded sum=" + decode() + " expected=" + expected);
        }
    }

    /**
     * Release the Chronicle buffer's native memory.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        bytes.releaseLast();
    }

    /**
     * Encode one reading from the on-heap object into the buffer.
     *
     * @return the encoded length in bytes.
     */
    @Benchmark
    public long encode()
    {
        final long sequence = this.sequence++;
        final ChronicleSensorReading reading = this.reading;
        reading.sensorId = sequence & 1023;
        reading.timestampNs = sequence;
        reading.value = sequence * 0.5;

        return sbe ? encodeSbe(reading) : encodeChronicle(reading);
    }

    /**
     * Decode the reading in the buffer and add up every field.
     *
     * @return the sum of the fields.
     */
    @Benchmark
    public long decode()
    {
        if (sbe)
        {
            // into the same object as the anchor's readMarshallable, its two enum stores (and their GC barriers)
            // included: both decodes end where they started
            final SensorReadingDecoder decoder = this.decoder.wrapAndApplyHeader(sbeBuffer, 0, headerDecoder);
            final ChronicleSensorReading reading = this.reading;
            reading.sensorId = decoder.sensorId();
            reading.timestampNs = decoder.timestampNs();
            reading.value = decoder.value();
            reading.unit = decoder.unit();
            reading.quality = decoder.quality();
            return reading.sum();
        }
        else
        {
            final Bytes<Void> bytes = this.bytes;
            final ChronicleSensorReading reading = this.reading;
            bytes.readPosition(0);
            reading.readMarshallable(bytes);
            return reading.sum();
        }
    }

    private long encodeSbe(final ChronicleSensorReading reading)
    {
        final SensorReadingEncoder encoder = this.encoder;
        encoder
            .wrapAndApplyHeader(sbeBuffer, 0, headerEncoder)
            .sensorId(reading.sensorId)
            .timestampNs(reading.timestampNs)
            .value(reading.value)
            .unit(reading.unit)
            .quality(reading.quality);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private long encodeChronicle(final ChronicleSensorReading reading)
    {
        final Bytes<Void> bytes = this.bytes;
        bytes.clear();
        reading.writeMarshallable(bytes);
        return bytes.writePosition();
    }
}
