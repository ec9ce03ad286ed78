package io.conduit.codec;

import io.conduit.MessageHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;

/**
 * A {@link MessageHandler} that routes SBE messages read from a ring to typed handlers by schema id and template id.
 * <pre>{@code
 * final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
 *     .register(new SensorReadingDecoder(), reading -> onReading(reading.sensorId(), reading.value()))
 *     .register(new HeartbeatDecoder(), heartbeat -> onHeartbeat(heartbeat.sourceId()));
 *
 * while (running)
 * {
 *     idleStrategy.idle(ring.read(dispatcher, 64));
 * }
 * }</pre>
 * For each record it checks, in this order, before any handler sees it:
 * <ol>
 *     <li>the record is inside the buffer and at least as long as the {@link MessageHeaderDescriptor SBE header};</li>
 *     <li>the ring's type id equals the header's template id (the {@link SbePublisher} convention);</li>
 *     <li>the header's block length fits in the record;</li>
 *     <li>a handler is registered for the schema id and template id;</li>
 *     <li>the version is at least the registration's minimum, and a message that claims the reader's version or a
 *     newer one carries at least the reader's block;</li>
 *     <li>a message of an older version than the reader's carries a block that holds every field the reader reads at
 *     that version (a generated decoder returns a newer field's null value without reading it);</li>
 *     <li>for a message with groups or var-data, a walk over them, in the decoder's order, finds every group header,
 *     group entry and var-data field inside the record, and every group entry's block length at least what the
 *     reader reads of an entry at the acting version. The walk's work is bounded by the record's length whatever the
 *     counts say: a group whose entries hold no nested group or var-data is passed in one step, and every other
 *     entry moves the walk on by at least one byte. The order, and the block each version reads, are found once, at
 *     {@link #register}, from the generated decoder classes ({@code DecoderLayout}).</li>
 * </ol>
 * A message that fails a check is rejected as the {@link UnknownMessagePolicy} says and counted by
 * {@link RejectReason}. The decoder is wrapped with the sender's block length and version, so SBE's
 * {@code actingBlockLength} and {@code actingVersion} give schema evolution in both directions. Where it is wrapped
 * depends on the message:
 * <ul>
 *     <li><b>Fixed length</b> (no groups, no var-data: found once, at {@link #register}) and a block at least as long
 *     as the reader's: straight on the ring's buffer at the block. Every field such a decoder reads lies inside the
 *     reader's block, which lies inside the sender's block, which check 3 put inside the record, so no access needs a
 *     check of its own. The usual case, a header equal to the reader's own (template, schema, version and block
 *     length), passes checks 2 to 6 with one comparison of the whole 8-byte header and one of the record length,
 *     against the registration this path took last, and against the table's only when that one is not the
 *     message's.</li>
 *     <li>Everything else (groups or var-data, or an older sender's shorter block): over a reusable view of just the
 *     record that checks every access a generated decoder makes through it itself, not only when Agrona's bounds
 *     checks are on (docs/CODEC.md says which two ways round it a handler has).</li>
 * </ul>
 * Either way a garbage length from shared memory yields a rejection, never a read outside the record, whatever
 * {@code agrona.disable.bounds.checks} says; a handler that reads its groups and var-data in schema order reads only
 * what the walk checked. (One that reads out of order may read wrong bytes of the record, since the walk checked
 * each length where the schema's order puts it; the view still keeps every read inside the record, and one past the
 * record gets an {@link IndexOutOfBoundsException}.)
 * <p>
 * Exceptions thrown by a handler pass through unchanged.
 * <p>
 * No allocation per message: decoders are the pre-allocated flyweights given to {@link #register}, the lookup is the
 * last registration used, then an array indexed by template id (so small, dense template ids keep it small), and only
 * a rejection under
 * {@link UnknownMessagePolicy#THROW} allocates (the exception).
 * <p>
 * Threading: register handlers before the first read, or from the reading thread; {@link #onMessage} is called by
 * the one thread that reads the ring, and not re-entered: a handler must not hand another record to the same
 * dispatcher (its one checked view would be moved under the decoder being handled). The counters may be read from any
 * thread.
 * <p>
 * Memory ordering: the reading thread stores each counter with an opaque store, readers load it with an opaque load;
 * a counter read from another thread is a recent snapshot, with no happens-before edge to anything else.
 */
public final class SbeDispatcher implements MessageHandler
{
    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int MAX_UINT16 = 0xFFFF;

    private final UnknownMessagePolicy policy;
    // indexed by template id; registrations of other schemas with the same template id follow Registration.next
    private Registration<?>[] registrations = new Registration<?>[0];
    // the registration onMessage's fast path took last, tried before the table; null until then
    private Registration<?> lastRegistration;
    private final IntHashSet schemaIds = new IntHashSet();
    private final long[] rejectedCounts = new long[RejectReason.values().length];
    private final CheckedBuffer view = new CheckedBuffer();

    /**
     * @param policy what to do with a message that cannot be handed to a handler.
     */
    public SbeDispatcher(final UnknownMessagePolicy policy)
    {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * @return what this dispatcher does with a message it cannot hand to a handler.
     */
    public UnknownMessagePolicy policy()
    {
        return policy;
    }

    /**
     * Register a handler for the decoder's schema id and template id, for every version of the message.
     *
     * @param decoder a decoder this dispatcher then owns: it is wrapped over each message and handed to the handler.
     * @param handler called for each message of that schema and template.
     * @param <D>     type of the generated decoder.
     * @return this, for chaining.
     * @throws IllegalStateException    if a handler is already registered for that schema and template.
     * @throws IllegalArgumentException if the template id is 0 (ring type ids start at 1), the decoder does not
     *                                  read its group headers and var-data lengths as generated SBE decoders do, or
     *                                  it reads a group count as a signed number (a numInGroup of a signed type).
     */
    public <D extends MessageDecoderFlyweight> SbeDispatcher register(
        final D decoder, final SbeMessageHandler<? super D> handler)
    {
        return register(decoder, 0, handler);
    }

    /**
     * Register a handler for the decoder's schema id and template id, for versions {@code >= minVersion}; older
     * messages are rejected as {@link RejectReason#INCOMPATIBLE_VERSION}.
     *
     * @param decoder    a decoder this dispatcher then owns: it is wrapped over each message and handed to the handler.
     * @param minVersion lowest schema version accepted, {@code 0..65535}.
     * @param handler    called for each message of that schema and template.
     * @param <D>        type of the generated decoder.
     * @return this, for chaining.
     * @throws IllegalStateException    if a handler is already registered for that schema and template.
     * @throws IllegalArgumentException if the template id is 0 (ring type ids start at 1), minVersion is out of
     *                                  range, the decoder does not read its group headers and var-data lengths as
     *                                  generated SBE decoders do, or it reads a group count as a signed number (a
     *                                  numInGroup of a signed type).
     */
    public <D extends MessageDecoderFlyweight> SbeDispatcher register(
        final D decoder, final int minVersion, final SbeMessageHandler<? super D> handler)
    {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(handler, "handler");
        final int schemaId = decoder.sbeSchemaId();
        final int templateId = decoder.sbeTemplateId();
        if (templateId < 1 || templateId > MAX_UINT16)
        {
            throw new IllegalArgumentException("template id must be 1..65535 (it is the ring type id): templateId=" +
                templateId + " schemaId=" + schemaId);
        }
        if (minVersion < 0 || minVersion > MAX_UINT16)
        {
            throw new IllegalArgumentException("minVersion must be 0..65535: minVersion=" + minVersion);
        }
        if (null != registration(templateId, schemaId))
        {
            throw new IllegalStateException(
                "handler already registered: schemaId=" + schemaId + " templateId=" + templateId);
        }

        final boolean fixedLength = isFixedLength(decoder);
        final DecoderLayout layout = new DecoderLayout(decoder);
        final boolean variableLength = !fixedLength && layout.hasGroupsOrVarData();
        Registration<?>[] registrations = this.registrations;
        if (templateId >= registrations.length)
        {
            registrations = Arrays.copyOf(registrations, templateId + 1);
        }
        registrations[templateId] = new Registration<>(
            decoder, handler, minVersion, fixedLength, variableLength, layout, registrations[templateId]);
        this.registrations = registrations;
        schemaIds.add(schemaId);
        return this;
    }

    /**
     * @param reason a reason.
     * @return messages rejected for that reason so far, a snapshot.
     */
    public long rejectedCount(final RejectReason reason)
    {
        return (long)COUNTS.getOpaque(rejectedCounts, reason.ordinal());
    }

    /**
     * @return messages rejected for any reason so far, a snapshot.
     */
    public long rejectedCount()
    {
        long total = 0;
        for (int i = 0; i < rejectedCounts.length; i++)
        {
            total += (long)COUNTS.getOpaque(rejectedCounts, i);
        }
        return total;
    }

    /**
     * Check the record, decode its SBE header and hand it to the registered handler, or reject it.
     *
     * @param typeId type id the sender gave the record: the template id, by convention.
     * @param buffer buffer holding the record.
     * @param offset offset of the record body, where the SBE header starts.
     * @param length length of the record body.
     * @throws RejectedMessageException under {@link UnknownMessagePolicy#THROW}, if the message cannot be handled.
     */
    @Override
    public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        // the record inside the buffer, and at least a header long: so the header lies inside too. Offset and
        // capacity at least 0 (a buffer's capacity can be made negative: Agrona's wrap(long, int) stores any int), so
        // capacity - offset cannot overflow
        final int capacity = buffer.capacity();
        if ((offset | capacity) < 0 || length < HEADER_LENGTH || length > capacity - offset)
        {
            reject(RejectReason.MALFORMED, "record shorter than the SBE header or outside the buffer",
                typeId, -1, -1, -1, -1, length);
            return;
        }

        // the whole header in one load: inside the record, as just checked, and 8-byte aligned like every record.
        // From a plain UnsafeBuffer (every ring's) by its base and address, with no second bounds check
        final long header = UnsafeBuffer.class == buffer.getClass() ?
            MessageHeaderDescriptor.headerAt(buffer.byteArray(), buffer.addressOffset() + offset) :
            MessageHeaderDescriptor.header(buffer, offset);
        // the fast path: a header exactly the reader's (template id == type id, schema id, version >= minVersion,
        // the reader's block) in a record that holds that block. Fixed length, so every field the decoder reads lies in
        // that block, so inside the record, without a view.
        // First the registration the fast path took last, by comparing, then the table, by indexing: a compare
        // lets the CPU run on into the decoder and the handler on a predicted branch, where an index has it wait for
        // the type id, loaded from the ring, before it can load the registration (perf/README.md, "The
        // dispatcher's one-registration cache")
        final Registration<?> last = lastRegistration;
        if (null != last && last.directHeader == header && last.templateId == typeId && length >= last.directLength)
        {
            dispatchDirect(last, buffer, offset);
            return;
        }
        final Registration<?>[] registrations = this.registrations;
        final Registration<?> registration =
            typeId >= 0 && typeId < registrations.length ? registrations[typeId] : null;
        if (null != registration && registration.directHeader == header && length >= registration.directLength)
        {
            lastRegistration = registration; // a reference store only when the type of message changes
            dispatchDirect(registration, buffer, offset);
        }
        else
        {
            onOtherMessage(typeId, buffer, offset, length, header);
        }
    }

    private static void dispatchDirect(
        final Registration<?> registration, final MutableDirectBuffer buffer, final int offset)
    {
        registration.decoder.wrap(
            buffer, offset + HEADER_LENGTH, registration.readerBlockLength, registration.readerVersion);
        registration.dispatch();
    }

    /**
     * @param schemaId   a schema id.
     * @param templateId a template id.
     * @return whether a handler is registered for that schema and template and its messages, having no groups or
     * var-data, are decoded straight from the ring's buffer when their block is at least the reader's.
     */
    boolean isFixedLength(final int schemaId, final int templateId)
    {
        final Registration<?> registration = registration(templateId, schemaId);
        return null != registration && registration.fixedLength;
    }

    private Registration<?> registration(final int templateId, final int schemaId)
    {
        final Registration<?>[] registrations = this.registrations;
        Registration<?> registration = templateId < registrations.length ? registrations[templateId] : null;
        while (null != registration && schemaId != registration.schemaId)
        {
            registration = registration.next;
        }
        return registration;
    }

    /**
     * Every message the fast path in {@link #onMessage} did not take: make the checks in the documented order and
     * reject, or dispatch.
     */
    private void onOtherMessage(
        final int typeId, final MutableDirectBuffer buffer, final int offset, final int length, final long header)
    {
        final int templateId = MessageHeaderDescriptor.templateId(header);
        final int schemaId = MessageHeaderDescriptor.schemaId(header);
        final int version = MessageHeaderDescriptor.version(header);
        final int blockLength = MessageHeaderDescriptor.blockLength(header);
        final Registration<?> registration = registration(templateId, schemaId);
        if (typeId != templateId)
        {
            reject(RejectReason.MALFORMED, "ring type id is not the template id",
                typeId, schemaId, templateId, version, blockLength, length);
        }
        else if (blockLength > length - HEADER_LENGTH)
        {
            reject(RejectReason.MALFORMED, "block runs past the record",
                typeId, schemaId, templateId, version, blockLength, length);
        }
        else if (null == registration)
        {
            final boolean knownSchema = schemaIds.contains(schemaId);
            reject(knownSchema ? RejectReason.UNKNOWN_TEMPLATE : RejectReason.UNKNOWN_SCHEMA,
                knownSchema ? "no handler for the template" : "no handler for the schema",
                typeId, schemaId, templateId, version, blockLength, length);
        }
        else if (blockLength >= registration.directBlockLength && version >= registration.minVersion)
        {
            // behind another schema's registration with the same template id: decoded as in onMessage
            registration.decoder.wrap(buffer, offset + HEADER_LENGTH, blockLength, version);
            registration.dispatch();
        }
        else
        {
            dispatchOverView(registration, typeId, buffer, offset, length, header);
        }
    }

    /**
     * The other path: check the version and the block against it, for a message with groups or var-data walk them
     * over the checked view of the record, then wrap the decoder over that view and hand it to the handler.
     */
    private void dispatchOverView(
        final Registration<?> registration,
        final int typeId,
        final MutableDirectBuffer buffer,
        final int offset,
        final int length,
        final long header)
    {
        final int blockLength = MessageHeaderDescriptor.blockLength(header);
        final int version = MessageHeaderDescriptor.version(header);
        if (version < registration.minVersion)
        {
            reject(RejectReason.INCOMPATIBLE_VERSION, "version below the registration's minimum",
                typeId, registration.schemaId, registration.templateId, version, blockLength, length);
            return;
        }
        if (version >= registration.readerVersion && blockLength < registration.readerBlockLength)
        {
            reject(RejectReason.INCOMPATIBLE_VERSION, "block shorter than the reader's for the same or a newer version",
                typeId, registration.schemaId, registration.templateId, version, blockLength, length);
            return;
        }

        final DecoderLayout layout = registration.layout;
        if (version < registration.readerVersion && blockLength < layout.minBlockLength(version))
        {
            reject(RejectReason.MALFORMED,
                UnknownMessagePolicy.THROW == policy ? layout.blockDetail(version, blockLength) : null,
                typeId, registration.schemaId, registration.templateId, version, blockLength, length);
            return;
        }

        final CheckedBuffer view = this.view;
        view.wrapRegion(buffer, offset, length);
        if (registration.variableLength && !layout.walk(view, version, blockLength, length))
        {
            reject(RejectReason.MALFORMED, UnknownMessagePolicy.THROW == policy ? layout.failureDetail() : null,
                typeId, registration.schemaId, registration.templateId, version, blockLength, length);
            return;
        }

        registration.decoder.wrap(view, HEADER_LENGTH, blockLength, version);
        registration.dispatch();
    }

    private void reject(
        final RejectReason reason,
        final String detail,
        final int typeId,
        final int schemaId,
        final int templateId,
        final int version,
        final int blockLength,
        final int length)
    {
        final int index = reason.ordinal();
        COUNTS.setOpaque(rejectedCounts, index, (long)COUNTS.getOpaque(rejectedCounts, index) + 1);
        if (UnknownMessagePolicy.THROW == policy)
        {
            throw new RejectedMessageException(
                reason, detail, typeId, schemaId, templateId, version, blockLength, length);
        }
    }

    /**
     * Whether the decoder reads nothing outside its own block, so it may be wrapped straight on the ring's buffer:
     * wrapped over a view that holds exactly an all-zero block, neither the walk over its groups and var-data
     * ({@code sbeDecodedLength()}) nor reading every field ({@code appendTo}) may go past the block. A group or a
     * var-data field, even an empty one, has a header after the block, so either fails. Any failure, for whatever
     * reason, leaves the decoder on the checked view: slower, never less safe.
     */
    private static boolean isFixedLength(final MessageDecoderFlyweight decoder)
    {
        final int blockLength = decoder.sbeBlockLength();
        final CheckedBuffer block = new CheckedBuffer();
        block.wrap(new byte[HEADER_LENGTH + blockLength]);
        try
        {
            decoder.wrap(block, HEADER_LENGTH, blockLength, decoder.sbeSchemaVersion());
            if (decoder.sbeDecodedLength() != blockLength)
            {
                return false;
            }
            decoder.appendTo(new StringBuilder());
            return true;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static final class Registration<D extends MessageDecoderFlyweight>
    {
        private final D decoder;
        private final SbeMessageHandler<? super D> handler;
        private final int schemaId;
        private final int templateId;
        private final int minVersion;
        private final int readerVersion;
        private final int readerBlockLength;
        private final boolean fixedLength;
        private final boolean variableLength;
        private final DecoderLayout layout;
        // shortest sender's block decoded straight from the ring's buffer: the reader's if fixed length, else none
        private final int directBlockLength;
        // the fast path in onMessage: a header equal to this (the reader's block and version) in a record at least
        // directLength long; directLength is out of reach of any int length when there is no fast path
        private final long directHeader;
        private final long directLength;
        private final Registration<?> next;

        private Registration(
            final D decoder,
            final SbeMessageHandler<? super D> handler,
            final int minVersion,
            final boolean fixedLength,
            final boolean variableLength,
            final DecoderLayout layout,
            final Registration<?> next)
        {
            this.decoder = decoder;
            this.handler = handler;
            this.schemaId = decoder.sbeSchemaId();
            this.templateId = decoder.sbeTemplateId();
            this.minVersion = minVersion;
            this.readerVersion = decoder.sbeSchemaVersion();
            this.readerBlockLength = decoder.sbeBlockLength();
            this.fixedLength = fixedLength;
            this.variableLength = variableLength;
            this.layout = layout;
            this.directBlockLength = fixedLength ? readerBlockLength : Integer.MAX_VALUE;
            this.directHeader = MessageHeaderDescriptor.header(readerBlockLength, templateId, schemaId, readerVersion);
            this.directLength = fixedLength && minVersion <= readerVersion ?
                HEADER_LENGTH + readerBlockLength : Long.MAX_VALUE;
            this.next = next;
        }

        private void dispatch()
        {
            handler.onMessage(decoder);
        }
    }
}
