package dev.amalgam.node.card;

import dev.amalgam.multiformats.Cid;
import dev.amalgam.protocol.host.Host;
import dev.amalgam.protocol.host.Stream;
import dev.amalgam.protocol.peer.PeerId;
import dev.amalgam.protocol.proto.LengthPrefixed;
import dev.amalgam.protocol.proto.ProtoReader;
import dev.amalgam.protocol.proto.ProtoWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * {@code /amalgam/cards/1.0.0}: ask a peer for the signed cards of experts it hosts. One request
 * per stream, each message uvarint-length-prefixed protobuf. Request {@code {1: repeated bytes
 * expert_id}} (empty: all hosted experts); response {@code {1: repeated bytes envelope}} holding
 * the current card of each requested expert the peer hosts, and nothing for the others.
 */
public final class CardExchange {
  public static final String PROTOCOL = "/amalgam/cards/1.0.0";
  private static final int MAX_MESSAGE = 1 << 20;

  // Shared and never closed: closing an executor waits for its tasks, and a timed-out ask must not.
  private static final ExecutorService ASKS = Executors.newVirtualThreadPerTaskExecutor();

  private CardExchange() {}

  /** Answers one request with the cards {@code hosted} returns for the asked ids. */
  public static void serve(Stream s, Function<List<Cid>, List<byte[]>> hosted) throws IOException {
    try (s) {
      byte[] req = LengthPrefixed.read(s.in(), MAX_MESSAGE, "card request");
      List<Cid> ids = new ArrayList<>();
      ProtoReader r = new ProtoReader("CardRequest", req);
      while (r.next()) {
        if (r.field() == 1) {
          ids.add(Cid.decode(r.bytes()));
        } else {
          r.skip();
        }
      }
      ProtoWriter w = new ProtoWriter();
      for (byte[] env : hosted.apply(ids)) {
        w.bytes(1, env);
      }
      LengthPrefixed.write(s.out(), w.toByteArray());
      s.out().flush();
      s.closeWrite();
    }
  }

  /**
   * Asks {@code peer} for its cards of {@code ids} (all hosted ones when empty).
   *
   * @throws IOException when the peer cannot be reached, does not speak the protocol, or does not
   *     answer within {@code timeout}
   */
  public static List<byte[]> ask(Host host, PeerId peer, List<Cid> ids, Duration timeout)
      throws IOException, InterruptedException {
    {
      Stream[] open = new Stream[1];
      Future<List<byte[]>> f =
          ASKS.submit(
              () -> {
                Stream s = host.newStream(peer, PROTOCOL);
                open[0] = s;
                try (s) {
                  ProtoWriter w = new ProtoWriter();
                  ids.forEach(id -> w.bytes(1, id.bytes()));
                  LengthPrefixed.write(s.out(), w.toByteArray());
                  s.out().flush();
                  s.closeWrite();
                  byte[] resp = LengthPrefixed.read(s.in(), MAX_MESSAGE, "card response");
                  List<byte[]> out = new ArrayList<>();
                  ProtoReader r = new ProtoReader("CardResponse", resp);
                  while (r.next()) {
                    if (r.field() == 1) {
                      out.add(r.bytes());
                    } else {
                      r.skip();
                    }
                  }
                  return out;
                }
              });
      try {
        return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (open[0] != null) {
          open[0].reset();
        }
        f.cancel(true);
        throw new IOException(
            "no card answer from " + peer + " within " + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        throw new IOException("card request to " + peer + " failed: " + c.getMessage(), c);
      }
    }
  }
}
