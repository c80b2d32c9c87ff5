import com.spendsync.embedded.EmbeddedMongo;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The embedded default's MongoDB-wire server on its own, on a data directory the app has not opened yet, so
 * bench/scale-bench.sh can seed a store before the app's first start (the app runs the same server in its own
 * process). Run with the jars of the all-in-one jar on the class path:
 *
 * <pre>
 *   java -cp APP_JARS bench/EmbeddedMongoServer.java DATA_DIR PORT
 * </pre>
 *
 * Prints "ready URI" once it listens; runs until it is stopped (SIGTERM or SIGINT), then closes the H2 store, which
 * writes its last changes to disk.
 */
public class EmbeddedMongoServer {

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DATA_DIR PORT");
        }
        EmbeddedMongo mongo = EmbeddedMongo.start(Path.of(args[0]).resolve("mongo"), Integer.parseInt(args[1]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mongo.close();
            stopped.countDown();
        }));
        System.out.println("ready " + mongo.uri());
        System.out.flush();
        stopped.await();
    }
}
