package io.conduit.file;

import java.io.IOException;
import java.nio.file.Paths;

/**
 * Child process for {@link ChannelFileTest}: creates one channel and reports how it went, so that creation can be
 * tried under limits the test JVM cannot put on itself (a file size limit standing in for a full file system).
 * <p>
 * Arguments: {@code dir name capacity}. Prints {@code CREATED} (exit 0) or {@code IOEXCEPTION <exception>} (exit 3);
 * anything else is a failure (exit 1).
 */
public final class CreateChannelProcess
{
    private CreateChannelProcess()
    {
    }

    /**
     * @param args {@code dir name capacity}.
     */
    public static void main(final String[] args)
    {
        try (ChannelFile file = ChannelFile.create(
            Paths.get(args[0]), args[1], ChannelOptions.defaults().capacity(Integer.parseInt(args[2]))))
        {
            System.out.println("CREATED " + file.path());
        }
        catch (final IOException ex)
        {
            System.out.println("IOEXCEPTION " + ex);
            System.exit(3);
        }
        catch (final Throwable ex)
        {
            ex.printStackTrace();
            System.exit(1);
        }
    }
}
