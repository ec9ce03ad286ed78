package io.conduit.codec;

/**
 * Thrown by an {@link SbeDispatcher} under {@link UnknownMessagePolicy#THROW} for a message it cannot hand to a
 * handler. Fields that could not be read from the record (it was shorter than the SBE header) are {@code -1}.
 */
public final class RejectedMessageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final int typeId;
    private final int schemaId;
    private final int templateId;
    private final int version;
    private final int blockLength;
    private final int length;

    /**
     * @param reason      why the message was rejected.
     * @param detail      what exactly failed.
     * @param typeId      the ring's type id of the record.
     * @param schemaId    schema id from the SBE header, or -1.
     * @param templateId  template id from the SBE header, or -1.
     * @param version     version from the SBE header, or -1.
     * @param blockLength block length from the SBE header, or -1.
     * @param length      length of the record body.
     */
    public RejectedMessageException(
        final RejectReason reason,
        final String detail,
        final int typeId,
        final int schemaId,
        final int templateId,
        final int version,
        final int blockLength,
        final int length)
    {
        super("SBE message rejected: reason=" + reason + " (" + detail + ") schemaId=" + schemaId +
            " templateId=" + templateId + " version=" + version + " blockLength=" + blockLength +
            " typeId=" + typeId + " length=" + length);
        this.reason = reason;
        this.typeId = typeId;
        this.schemaId = schemaId;
        this.templateId = templateId;
        this.version = version;
        this.blockLength = blockLength;
        this.length = length;
    }

    /**
     * @return why the message was rejected.
     */
    public RejectReason reason()
    {
        return reason;
    }

    /**
     * @return the ring's type id of the record.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * @return schema id from the SBE header, or -1.
     */
    public int schemaId()
    {
        return schemaId;
    }

    /**
     * @return template id from the SBE header, or -1.
     */
    public int templateId()
    {
        return templateId;
    }

    /**
     * @return version from the SBE header, or -1.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return block length from the SBE header, or -1.
     */
    public int blockLength()
    {
        return blockLength;
    }

    /**
     * @return length of the record body.
     */
    public int length()
    {
        return length;
    }
}
