package io.conduit.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process for {@link SparseChannelFileTest}, run inside a mount namespace of its own where {@code dir} is a
 * small tmpfs: writes a sparse copy of the channel file {@code original} there (only its blocks that hold a byte other
 * than 0, a few KiB), then opens it, which must ask the file system for every missing block and be refused.
 * <p>
 * Arguments: {@code dir original name}. Prints {@code IOEXCEPTION <exception>} (exit 3) when open refuses the file
 * with an {@link IOException}, {@code OPENED} (exit 0) when it opens it; anything else is a failure (exit 1).
 */
public final class FullFileSystemProcess
{
    private FullFileSystemProcess()
    {
    }

    /**
     * @param args {@code dir original name}.
     */
    public static void main(final String[] args)
    {
        try
        {
            final Path dir = Path.of(args[0]);
            SparseChannelFileTest.writeSparse(ChannelFile.pathOf(dir, args[2]), Files.readAllBytes(Path.of(args[1])));
            try (ChannelFile file = ChannelFile.open(dir, args[2]))
            {
                System.out.println("OPENED " + file.path());
            }
        }
        catch (final IOException ex)
        {
            System.out.println("IOEXCEPTION " + ex);
            System.exit(3);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
