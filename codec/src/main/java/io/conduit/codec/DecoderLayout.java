package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageDecoderFlyweight;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;

/**
 * What a generated SBE decoder reads, found once at {@link SbeDispatcher#register}, and the walk that checks a
 * record's groups and var-data against it before a handler sees the record.
 * <p>
 * For each acting version it holds:
 * <ul>
 *     <li>the shortest message block, and the shortest entry of each group, that holds every field the decoder reads
 *     at that version: the end of the furthest field whose {@code sinceVersion} is at most that version (a generated
 *     decoder returns a newer field's null value and reads nothing), from the static {@code xxxEncodingOffset()},
 *     {@code xxxEncodingLength()} and {@code xxxSinceVersion()} of the decoder and of its group classes;</li>
 *     <li>the message's groups and var-data fields in the order the decoder reads them, nested groups and var-data
 *     inside their group. These are found by running the decoder's own {@code sbeDecodedLength()} over a probe
 *     buffer that notes which generated method made each read (a group decoder's {@code wrap}, a
 *     {@code skipXxx} for var-data) and answers one 0-byte entry for every group and 0 for every var-data length,
 *     so each group and var-data field present at that version is read exactly once, in order.</li>
 * </ul>
 * The walk reads each group header and var-data length where the decoder will read it and fails if a header or
 * var-data runs past the record, or if a group's entry block length is shorter than the fields the reader reads at
 * the acting version. Its work is bounded by the record's length, whatever the counts say: a group whose entries hold
 * no nested group or var-data at the acting version is passed in one step ({@code count * blockLength}, which is legal
 * to be 0), and any other group's entries are walked one by one, each moving the position on by at least the headers
 * it holds (one byte or more), with the position kept inside the record.
 * <p>
 * Threading: built by the registering thread; {@link #walk} and the {@code *Detail} methods are called by the one
 * thread that reads the ring, the same that owns the dispatcher's view.
 */
final class DecoderLayout
{
    private static final int HEADER_OUTSIDE = 1;
    private static final int DATA_OUTSIDE = 2;
    private static final int ENTRY_TOO_SHORT = 3;
    private static final int ENTRIES_OUTSIDE = 4;
    private static final int COUNT_TOO_LARGE = 5;

    private final int readerVersion;
    // each indexed by acting version, 0 to readerVersion
    private final int[] minBlockLengths;
    private final String[] minBlockFields;
    private final Element[][] elements;

    // the last failed walk, for failureDetail
    private int failure;
    private Element failedElement;
    private int failedVersion;
    private long failedPosition;
    private long failedLength;
    private long failedCount;

    /**
     * @param decoder a generated decoder; it is left wrapped over a probe buffer.
     * @throws IllegalArgumentException if its group headers or var-data lengths are not read as generated SBE
     *                                  decoders read them.
     */
    DecoderLayout(final MessageDecoderFlyweight decoder)
    {
        final Class<?> type = decoder.getClass();
        readerVersion = decoder.sbeSchemaVersion();
        minBlockLengths = new int[readerVersion + 1];
        minBlockFields = new String[readerVersion + 1];
        elements = new Element[readerVersion + 1][];

        // what is read changes only at a version some field, group or var-data was added in
        final TreeSet<Integer> versions = new TreeSet<>();
        versions.add(0);
        addSinceVersions(type, versions);
        for (int version = 0; version <= readerVersion; version++)
        {
            if (versions.contains(version))
            {
                final Field furthest = checkedFurthestField(type, "message", decoder.sbeBlockLength(), version);
                minBlockLengths[version] = furthest.end;
                minBlockFields[version] = furthest.name;
                elements[version] = probe(decoder, version);
            }
            else
            {
                minBlockLengths[version] = minBlockLengths[version - 1];
                minBlockFields[version] = minBlockFields[version - 1];
                elements[version] = elements[version - 1];
            }
        }
        checkCountsUnsigned(decoder, elements[readerVersion]);
    }

    /**
     * @return whether the message has a group or a var-data field at any version up to the reader's: what the
     * dispatcher walks.
     */
    boolean hasGroupsOrVarData()
    {
        for (final Element[] present : elements)
        {
            if (0 != present.length)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param version a version at most the reader's.
     * @return the shortest message block that holds every field the reader reads at that version.
     */
    int minBlockLength(final int version)
    {
        return minBlockLengths[version];
    }

    /**
     * @param version     the sender's version, at most the reader's.
     * @param blockLength the sender's block length, below {@link #minBlockLength(int)}.
     * @return what is wrong with the block, for a rejection.
     */
    String blockDetail(final int version, final int blockLength)
    {
        return "message block: blockLength=" + blockLength + " below the " + minBlockLengths[version] +
            " bytes the reader reads at version " + version + " (up to field " + minBlockFields[version] + ")";
    }

    /**
     * Walk the groups and var-data of a record whose header and block were checked.
     *
     * @param view        the record, offset 0 at its SBE header.
     * @param version     the sender's version.
     * @param blockLength the sender's block length, inside the record.
     * @param length      the record's length.
     * @return whether every group header, group entry and var-data field lies inside the record and every entry holds
     * the fields the reader reads at the acting version; if not, {@link #failureDetail()} says why.
     */
    boolean walk(final DirectBuffer view, final int version, final int blockLength, final int length)
    {
        final int actingVersion = Math.min(version, readerVersion);
        failedVersion = actingVersion;
        return walk(elements[actingVersion], view, HEADER_LENGTH + blockLength, length) >= 0;
    }

    /**
     * @return why the last {@link #walk} failed, for a rejection.
     */
    String failureDetail()
    {
        final Element element = failedElement;
        final String name = (element.group ? "group " : "var-data ") + element.name + ": ";
        switch (failure)
        {
            case HEADER_OUTSIDE:
                return name + "header at " + failedPosition + " (" + element.headerLength +
                    " bytes) runs past the record";
            case DATA_OUTSIDE:
                return name + "length=" + failedLength + " at " + failedPosition + " runs past the record";
            case ENTRY_TOO_SHORT:
                return name + "entry blockLength=" + failedLength + " below the " +
                    element.minBlockLength + " bytes the reader reads at version " + failedVersion +
                    " (up to field " + element.minBlockField + "), count=" + failedCount + " at " + failedPosition;
            case COUNT_TOO_LARGE:
                return name + "count=" + failedCount + " at " + failedPosition + " above " + Integer.MAX_VALUE +
                    ", the most a decoder counts";
            default:
                return name + "count=" + failedCount + " entries of blockLength=" + failedLength + " from " +
                    failedPosition + " run past the record";
        }
    }

    /**
     * @return the position after the elements, or -1 after noting the failure.
     */
    private long walk(final Element[] elements, final DirectBuffer view, final long start, final int length)
    {
        long position = start;
        for (final Element element : elements)
        {
            if (position + element.headerLength > length)
            {
                return fail(HEADER_OUTSIDE, element, position, 0, 0);
            }
            final int headerOffset = (int)position;
            position += element.headerLength;
            // a group's entry block length, or a var-data field's length
            final long blockOrDataLength = read(view, headerOffset + element.lengthOffset, element.lengthWidth,
                element.byteOrder);
            if (!element.group)
            {
                position += blockOrDataLength;
                if (position > length)
                {
                    return fail(DATA_OUTSIDE, element, headerOffset, blockOrDataLength, 0);
                }
                continue;
            }

            final long count = read(
                view, headerOffset + element.countOffset, element.countWidth, element.countByteOrder);
            if (count > Integer.MAX_VALUE)
            {
                // a uint32 count the decoder's int count() would turn negative
                return fail(COUNT_TOO_LARGE, element, headerOffset, blockOrDataLength, count);
            }
            if (0 != count && blockOrDataLength < element.minBlockLength)
            {
                // an empty group reads no entry, whatever block length it declares
                return fail(ENTRY_TOO_SHORT, element, headerOffset, blockOrDataLength, count);
            }
            position = walkEntries(element, view, position, blockOrDataLength, count, length);
            if (position < 0)
            {
                return position;
            }
        }
        return position;
    }

    private long walkEntries(
        final Element group,
        final DirectBuffer view,
        final long start,
        final long blockLength,
        final long count,
        final int length)
    {
        final Element[] children = group.children;
        if (0 == children.length)
        {
            // nothing in an entry but its block: one step for all of them (blockLength and count are below 2^32)
            if (0 != count && blockLength > (length - start) / count)
            {
                return fail(ENTRIES_OUTSIDE, group, start, blockLength, count);
            }
            return start + blockLength * count;
        }

        // each entry moves the position on by at least its children's headers, so this loops at most length times
        long position = start;
        for (long i = 0; i < count; i++)
        {
            position += blockLength;
            if (position > length)
            {
                return fail(ENTRIES_OUTSIDE, group, start, blockLength, count);
            }
            position = walk(children, view, position, length);
            if (position < 0)
            {
                return position;
            }
        }
        return position;
    }

    private long fail(
        final int failure, final Element element, final long position, final long length, final long count)
    {
        this.failure = failure;
        failedElement = element;
        failedPosition = position;
        failedLength = length;
        failedCount = count;
        return -1;
    }

    private static long read(final DirectBuffer view, final int index, final int width, final ByteOrder byteOrder)
    {
        switch (width)
        {
            case Byte.BYTES:
                return view.getByte(index) & 0xFFL;
            case Short.BYTES:
                return view.getShort(index, byteOrder) & 0xFFFFL;
            default:
                return view.getInt(index, byteOrder) & 0xFFFF_FFFFL;
        }
    }

    /**
     * Run the decoder's own walk over a probe and turn the reads it made into the elements present at the version.
     */
    private static Element[] probe(final MessageDecoderFlyweight decoder, final int version)
    {
        final Probe probe = new Probe();
        final int blockLength = decoder.sbeBlockLength();
        try
        {
            decoder.wrap(probe, HEADER_LENGTH, blockLength, version);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("decoder " + decoder.getClass().getName() + " at version " + version +
                ": its wrap fails over a message of its own block length " + blockLength + ": " + ex, ex);
        }
        final int decodedLength;
        try
        {
            decodedLength = decoder.sbeDecodedLength();
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("decoder " + decoder.getClass().getName() + " at version " + version +
                ": its walk (sbeDecodedLength) fails over a message of empty groups and var-data: " + ex, ex);
        }
        final Cursor cursor = new Cursor(decoder, version, probe.reads, HEADER_LENGTH + blockLength);
        final Element[] elements = level(decoder.getClass(), "", cursor, version);
        if (cursor.next != probe.reads.size())
        {
            final Read read = probe.reads.get(cursor.next);
            throw cursor.unsupported("read " + (cursor.next + 1) + " of the " + probe.reads.size() +
                " its walk made, " + describe(read) + ", is neither a group header, read in the wrap of an Iterable " +
                "group decoder nested in the decoder or group being read, nor a var-data length, read in a skipXxx " +
                "method of that decoder or group");
        }
        if (HEADER_LENGTH + decodedLength != cursor.position)
        {
            throw cursor.unsupported("its walk (sbeDecodedLength) decodes " + decodedLength + " bytes, but its " +
                blockLength + "-byte block and the group and var-data headers it read come to " +
                (cursor.position - HEADER_LENGTH) + ", with every group entry 0 bytes and every var-data field " +
                "empty as the probe answered (a header length, sbeHeaderSize or xxxHeaderLength, that is not what " +
                "the walk skips, or entries not as long as their header says)");
        }
        return elements;
    }

    /**
     * Refuse a group whose count the decoder reads as a signed 8- or 16-bit number (a {@code numInGroup} of a signed
     * type, which SbeTool only warns about): the walk reads every count as unsigned, so a count with its top bit set
     * would be walked as that many entries while the decoder, counting it negative, reads none and takes the bytes of
     * the entries the walk checked for the next group header or var-data length, which nothing checked as one.
     * <p>
     * Found by running the decoder's own walk again with the group's count answered as its top bit alone and its
     * entries one byte each: read as signed, no entry is walked, and the decoded length is at most that of the
     * probe's one empty entry; read as unsigned, 128 or 32,768 entries are walked, which either adds as many bytes
     * or, for entries that hold groups or var-data, runs past the probe's reads. A 32-bit count needs no such run:
     * the walk refuses one above {@code 2^31 - 1}, which covers a negative one.
     */
    private static void checkCountsUnsigned(final MessageDecoderFlyweight decoder, final Element[] elements)
    {
        final Probe plain = new Probe();
        final int plainLength = decodedLength(decoder, plain);
        checkCountsUnsigned(decoder, elements, plainLength, plain.reads.size());
    }

    private static void checkCountsUnsigned(
        final MessageDecoderFlyweight decoder, final Element[] elements, final int plainLength, final int plainReads)
    {
        for (final Element element : elements)
        {
            if (!element.group)
            {
                continue;
            }
            if (element.countWidth < Integer.BYTES)
            {
                // room for the reads of the one entry the plain probe walked again, and a few more
                final Probe signProbe = new Probe(element.type, plainReads + 8);
                final int length = decodedLength(decoder, signProbe);
                if (!signProbe.overrun && length <= plainLength)
                {
                    throw new IllegalArgumentException("group " + element.name + " of " +
                        decoder.getClass().getName() + ": its " + element.countWidth + "-byte count is read as a " +
                        "signed number (numInGroup of a signed type, which SbeTool only warns about); a count with " +
                        "its top bit set would be negative to the decoder and walked as positive by the dispatcher: " +
                        "declare numInGroup as uint8 or uint16");
                }
            }
            checkCountsUnsigned(decoder, element.children, plainLength, plainReads);
        }
    }

    /**
     * The decoder's own walk over the probe at the reader's version, or -1 once the probe ran past its reads.
     */
    private static int decodedLength(final MessageDecoderFlyweight decoder, final Probe probe)
    {
        try
        {
            decoder.wrap(probe, HEADER_LENGTH, decoder.sbeBlockLength(), decoder.sbeSchemaVersion());
            return decoder.sbeDecodedLength();
        }
        catch (final ProbeOverrun ex)
        {
            return -1;
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("decoder " + decoder.getClass().getName() + ": its walk " +
                "(sbeDecodedLength) fails over a group count with its top bit set, the probe of the count's sign: " +
                ex, ex);
        }
    }

    private static Element[] level(final Class<?> type, final String prefix, final Cursor cursor, final int version)
    {
        final List<Element> elements = new ArrayList<>();
        while (cursor.next < cursor.reads.size())
        {
            final Read read = cursor.reads.get(cursor.next);
            if (isGroupHeaderRead(read) && type == read.type.getDeclaringClass())
            {
                elements.add(group(read.type, prefix, cursor, version));
            }
            else if (type == read.type && read.method.startsWith("skip") && read.method.length() > 4)
            {
                elements.add(varData(type, prefix, cursor));
            }
            else
            {
                break;
            }
        }
        return elements.toArray(new Element[0]);
    }

    private static Element group(final Class<?> type, final String prefix, final Cursor cursor, final int version)
    {
        final String simpleName = type.getSimpleName();
        final String name = prefix + decapitalize(simpleName.endsWith("Decoder") ?
            simpleName.substring(0, simpleName.length() - "Decoder".length()) : simpleName);
        final Read blockLengthRead = cursor.reads.get(cursor.next++);
        final Read countRead = cursor.next < cursor.reads.size() ? cursor.reads.get(cursor.next++) : null;
        if (null == countRead || type != countRead.type || !isGroupHeaderRead(countRead))
        {
            throw cursor.unsupported("group " + name + ": its header is not two reads in the wrap of " +
                type.getName() + ", the block length then the count: " + describe(blockLengthRead) + " is followed " +
                "by " + (null == countRead ? "no read" : describe(countRead)));
        }
        final int headerOffset = cursor.position;
        final int headerLength = staticInt(type, "sbeHeaderSize", -1);
        cursor.position += headerLength;
        final int lengthOffset = cursor.offsetInHeader(
            "group " + name + " block length", blockLengthRead, headerOffset, headerLength);
        final int countOffset = cursor.offsetInHeader(
            "group " + name + " count", countRead, headerOffset, headerLength);
        final Element[] children = level(type, name + ".", cursor, version);
        final Field furthest = checkedFurthestField(type, "group " + name, staticInt(type, "sbeBlockLength", -1),
            version);
        return new Element(name, type, headerLength, lengthOffset, blockLengthRead.width, countOffset,
            countRead.width, blockLengthRead.byteOrder, countRead.byteOrder, furthest.end, furthest.name, children);
    }

    private static Element varData(final Class<?> type, final String prefix, final Cursor cursor)
    {
        final Read lengthRead = cursor.reads.get(cursor.next++);
        final String field = decapitalize(lengthRead.method.substring("skip".length()));
        final String name = prefix + field;
        final int headerOffset = cursor.position;
        final int headerLength = staticInt(type, field + "HeaderLength", lengthRead.width);
        cursor.position += headerLength;
        final int lengthOffset = cursor.offsetInHeader(
            "var-data " + name + " length", lengthRead, headerOffset, headerLength);
        return new Element(name, null, headerLength, lengthOffset, lengthRead.width, 0, 0, lengthRead.byteOrder,
            lengthRead.byteOrder, 0, null, new Element[0]);
    }

    /**
     * {@link #furthestField}, which must end within the block the schema declares: past it, every message would be
     * refused, so the layout is not understood.
     */
    private static Field checkedFurthestField(
        final Class<?> type, final String what, final int declaredBlockLength, final int version)
    {
        final Field furthest = furthestField(type, version);
        if (furthest.end > declaredBlockLength)
        {
            throw new IllegalArgumentException(what + " of " + type.getName() + ": field " + furthest.name +
                " ends at " + furthest.end + ", past the declared block length " + declaredBlockLength +
                " (a field type this dispatcher does not understand)");
        }
        return furthest;
    }

    /**
     * The furthest-ending field that a decoder or group decoder class reads at the version, from its static
     * {@code xxxEncodingOffset()}, {@code xxxEncodingLength()} and {@code xxxSinceVersion()}.
     */
    private static Field furthestField(final Class<?> type, final int version)
    {
        final String offsetSuffix = "EncodingOffset";
        Field furthest = new Field("none", 0);
        for (final Method method : type.getDeclaredMethods())
        {
            final String methodName = method.getName();
            if (methodName.endsWith(offsetSuffix) && isStaticIntGetter(method))
            {
                final String field = methodName.substring(0, methodName.length() - offsetSuffix.length());
                final int end = staticInt(type, methodName, -1) + staticInt(type, field + "EncodingLength", -1);
                if (staticInt(type, field + "SinceVersion", 0) <= version && !isConstant(type, field) &&
                    (end > furthest.end || (end == furthest.end && field.compareTo(furthest.name) < 0)))
                {
                    furthest = new Field(field, end);
                }
            }
        }
        return furthest;
    }

    /**
     * A field with {@code presence="constant"} takes no bytes of the block (SBE gives it the offset of the next field
     * and a block that ends before it), though its {@code xxxEncodingLength()} is its type's size: it must not count
     * as read. Its {@code xxxMetaAttribute(PRESENCE)} says "constant".
     */
    private static boolean isConstant(final Class<?> type, final String field)
    {
        for (final Method method : type.getMethods())
        {
            final Class<?>[] parameters = method.getParameterTypes();
            if (method.getName().equals(field + "MetaAttribute") && Modifier.isStatic(method.getModifiers()) &&
                1 == parameters.length && parameters[0].isEnum())
            {
                try
                {
                    for (final Object constant : parameters[0].getEnumConstants())
                    {
                        if ("PRESENCE".equals(((Enum<?>)constant).name()))
                        {
                            return "constant".equals(method.invoke(null, constant));
                        }
                    }
                }
                catch (final IllegalAccessException | InvocationTargetException ex)
                {
                    throw new IllegalArgumentException("field " + field + " of " + type.getName() +
                        ": its presence cannot be read: " + method.getName() + "(PRESENCE): " + failure(ex), ex);
                }
            }
        }
        return false;
    }

    private static void addSinceVersions(final Class<?> type, final TreeSet<Integer> versions)
    {
        for (final Method method : type.getDeclaredMethods())
        {
            if (method.getName().endsWith("SinceVersion") && isStaticIntGetter(method))
            {
                versions.add(staticInt(type, method.getName(), 0));
            }
        }
        for (final Class<?> nested : type.getDeclaredClasses())
        {
            addSinceVersions(nested, versions);
        }
    }

    private static boolean isStaticIntGetter(final Method method)
    {
        return Modifier.isStatic(method.getModifiers()) && Modifier.isPublic(method.getModifiers()) &&
            0 == method.getParameterCount() && int.class == method.getReturnType();
    }

    private static int staticInt(final Class<?> type, final String methodName, final int missing)
    {
        try
        {
            final Method method = type.getDeclaredMethod(methodName);
            if (!isStaticIntGetter(method))
            {
                return missing;
            }
            return (int)method.invoke(null);
        }
        catch (final NoSuchMethodException ex)
        {
            if (missing < 0)
            {
                throw new IllegalArgumentException("generated decoder method missing: " + type.getName() + "." +
                    methodName + "()", ex);
            }
            return missing;
        }
        catch (final IllegalAccessException | InvocationTargetException ex)
        {
            throw new IllegalArgumentException("cannot call " + type.getName() + "." + methodName + "(): " +
                failure(ex), ex);
        }
    }

    /**
     * What went wrong in a reflective call, for a refusal: what the method threw, or why it could not be called.
     */
    private static String failure(final ReflectiveOperationException ex)
    {
        if (ex instanceof InvocationTargetException)
        {
            return "it threw " + ex.getCause();
        }
        return "it is not accessible to the dispatcher (a decoder class must be public, as generated ones are): " + ex;
    }

    /**
     * A read of the probe, for a refusal: its width, where, and the method that made it.
     */
    private static String describe(final Read read)
    {
        return "the " + read.width + "-byte read at " + read.index + " by " + read.type.getName() + "." + read.method;
    }

    private static boolean isGroupHeaderRead(final Read read)
    {
        return "wrap".equals(read.method) && null != read.type.getDeclaringClass() &&
            Iterable.class.isAssignableFrom(read.type);
    }

    private static String decapitalize(final String name)
    {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /**
     * A group, or a var-data field, present at one version: where its header is and what it holds.
     */
    private static final class Element
    {
        private final String name;
        private final boolean group;
        // the group decoder class, or null for a var-data field
        private final Class<?> type;
        private final int headerLength;
        // where in the header the group's entry block length, or the var-data length, is, and its width in bytes
        private final int lengthOffset;
        private final int lengthWidth;
        private final int countOffset;
        private final int countWidth;
        private final ByteOrder byteOrder;
        private final ByteOrder countByteOrder;
        private final int minBlockLength;
        private final String minBlockField;
        private final Element[] children;

        private Element(
            final String name,
            final Class<?> type,
            final int headerLength,
            final int lengthOffset,
            final int lengthWidth,
            final int countOffset,
            final int countWidth,
            final ByteOrder byteOrder,
            final ByteOrder countByteOrder,
            final int minBlockLength,
            final String minBlockField,
            final Element[] children)
        {
            this.name = name;
            this.group = null != type;
            this.type = type;
            this.headerLength = headerLength;
            this.lengthOffset = lengthOffset;
            this.lengthWidth = lengthWidth;
            this.countOffset = countOffset;
            this.countWidth = countWidth;
            this.byteOrder = byteOrder;
            this.countByteOrder = countByteOrder;
            this.minBlockLength = minBlockLength;
            this.minBlockField = minBlockField;
            this.children = children;
        }
    }

    private static final class Field
    {
        private final String name;
        private final int end;

        private Field(final String name, final int end)
        {
            this.name = name;
            this.end = end;
        }
    }

    private static final class Read
    {
        private final Class<?> type;
        private final String method;
        private final int index;
        private final int width;
        private final ByteOrder byteOrder;

        private Read(final Class<?> type, final String method, final int index, final int width,
            final ByteOrder byteOrder)
        {
            this.type = type;
            this.method = method;
            this.index = index;
            this.width = width;
            this.byteOrder = byteOrder;
        }
    }

    /**
     * Where the probe's reads are turned into elements: the next read, and the position the walk has reached, every
     * entry being 0 bytes and every var-data field empty.
     */
    private static final class Cursor
    {
        private final MessageDecoderFlyweight decoder;
        private final int version;
        private final List<Read> reads;
        private int next;
        private int position;

        private Cursor(
            final MessageDecoderFlyweight decoder, final int version, final List<Read> reads, final int position)
        {
            this.decoder = decoder;
            this.version = version;
            this.reads = reads;
            this.position = position;
        }

        /**
         * @param what the length or count read, for a refusal: "group legs count", say.
         * @return where in its header the read is, which must hold all of it; its width must be one the walk reads.
         */
        private int offsetInHeader(final String what, final Read read, final int headerOffset, final int headerLength)
        {
            final int offset = read.index - headerOffset;
            final int width = read.width;
            if ((Byte.BYTES != width && Short.BYTES != width && Integer.BYTES != width) ||
                offset < 0 || offset > headerLength - width)
            {
                throw unsupported(what + ": " + describe(read) + " is at offset " + offset + " of its " +
                    headerLength + "-byte header; a length or count is read as 1, 2 or 4 bytes inside its header");
            }
            return offset;
        }

        private IllegalArgumentException unsupported(final String detail)
        {
            return new IllegalArgumentException("cannot derive the group and var-data layout of " +
                decoder.getClass().getName() + " at version " + version + ": " + detail);
        }
    }

    /**
     * Thrown by a {@link Probe} asked for more reads than its limit: the decoder walks more entries than the probe
     * answered for. No stack trace: it is an answer, not an error.
     */
    private static final class ProbeOverrun extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private ProbeOverrun()
        {
            super("probe overrun", null, false, false);
        }
    }

    /**
     * A buffer for the decoder's own walk that reads no memory: it notes each read and the generated method that made
     * it, and answers 0 for a group's block length, 1 for its count and 0 for a var-data length. A probe made for one
     * group's sign answers that group's block length 1 and its count with only its top bit set, and stops the walk
     * with a {@link ProbeOverrun} past its read limit.
     */
    private static final class Probe extends UnsafeBuffer
    {
        private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

        private final List<Read> reads = new ArrayList<>();
        private final Class<?> signGroup;
        private final int readLimit;
        private Class<?> awaitingCount;
        private boolean overrun;

        private Probe()
        {
            this(null, Integer.MAX_VALUE);
        }

        private Probe(final Class<?> signGroup, final int readLimit)
        {
            super(new byte[Long.BYTES]);
            this.signGroup = signGroup;
            this.readLimit = readLimit;
        }

        @Override
        public byte getByte(final int index)
        {
            return (byte)read(index, Byte.BYTES, ByteOrder.nativeOrder());
        }

        @Override
        public short getShort(final int index)
        {
            return (short)read(index, Short.BYTES, ByteOrder.nativeOrder());
        }

        @Override
        public short getShort(final int index, final ByteOrder byteOrder)
        {
            return (short)read(index, Short.BYTES, byteOrder);
        }

        @Override
        public char getChar(final int index)
        {
            return (char)read(index, Character.BYTES, ByteOrder.nativeOrder());
        }

        @Override
        public char getChar(final int index, final ByteOrder byteOrder)
        {
            return (char)read(index, Character.BYTES, byteOrder);
        }

        @Override
        public int getInt(final int index)
        {
            return read(index, Integer.BYTES, ByteOrder.nativeOrder());
        }

        @Override
        public int getInt(final int index, final ByteOrder byteOrder)
        {
            return read(index, Integer.BYTES, byteOrder);
        }

        @Override
        public long getLong(final int index)
        {
            return read(index, Long.BYTES, ByteOrder.nativeOrder());
        }

        @Override
        public long getLong(final int index, final ByteOrder byteOrder)
        {
            return read(index, Long.BYTES, byteOrder);
        }

        private int read(final int index, final int width, final ByteOrder byteOrder)
        {
            if (reads.size() >= readLimit)
            {
                overrun = true;
                throw new ProbeOverrun();
            }
            final StackWalker.StackFrame caller = STACK.walk((frames) -> frames
                .filter((frame) -> Probe.class != frame.getDeclaringClass())
                .findFirst()
                .orElseThrow());
            final Read read = new Read(caller.getDeclaringClass(), caller.getMethodName(), index, width, byteOrder);
            reads.add(read);
            if (isGroupHeaderRead(read))
            {
                // a group decoder's wrap reads the entry block length, then the count
                if (read.type == awaitingCount)
                {
                    awaitingCount = null;
                    return read.type == signGroup ? 1 << (Byte.SIZE * width - 1) : 1;
                }
                awaitingCount = read.type;
                return read.type == signGroup ? 1 : 0;
            }
            return 0;
        }
    }
}
