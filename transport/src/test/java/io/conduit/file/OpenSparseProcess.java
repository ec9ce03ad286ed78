package io.conduit.file;

import io.conduit.wait.FileSpace;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process for {@link SparseChannelFileTest}: opens a channel file (a sparse copy) in a JVM the test starts
 * without JNA on its class path, reads every message and checks each, and reports what {@link FileSpace} could do.
 * <p>
 * Arguments: {@code dir name messages}. Prints {@code READ <n> ALLOCATE <FileSpace result>} (exit 0); a message out of
 * order or damaged prints {@code BAD <i>} (exit 2); anything else is a failure (exit 1).
 */
public final class OpenSparseProcess
{
    private OpenSparseProcess()
    {
    }

    /**
     * @param args {@code dir name messages}.
     */
    public static void main(final String[] args)
    {
        try (ChannelFile file = ChannelFile.open(Path.of(args[0]), args[1]))
        {
            final int messages = Integer.parseInt(args[2]);
            final long[] read = new long[1];
            file.ring().read((typeId, buffer, offset, length) ->
            {
                if (16 != length || buffer.getLong(offset) != read[0] || buffer.getLong(offset + 8) != ~read[0])
                {
                    System.out.println("BAD " + read[0]);
                    System.exit(2);
                }
                read[0]++;
            }, Integer.MAX_VALUE);
            System.out.println("READ " + read[0] + " of " + messages + " ALLOCATE " +
                FileSpace.allocate(file.path(), Files.size(file.path())));
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
