package dev.amalgam.node.cli;

import dev.amalgam.bootstrap.EventLog;
import dev.amalgam.node.api.ApiClient;
import dev.amalgam.node.api.ControlApi;
import dev.amalgam.node.daemon.NodeDaemon;
import dev.amalgam.node.home.NodeHome;
import dev.amalgam.protocol.multiaddr.Multiaddr;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Run the node daemon in the foreground until SIGTERM or Ctrl-C.",
      "Prints its listen addresses (with /p2p/ID) and the control API address, then one line",
      "per state change: peers connected and disconnected, experts announced, cards accepted",
      "or rejected."
    })
final class NodeStartCommand implements Callable<Integer> {
  @Mixin HomeOption home;

  @Override
  public Integer call() throws Exception {
    Foreground.oneLineLogging();
    Path dir = home.resolve();
    NodeHome h = NodeHome.open(dir);
    Optional<ApiClient> running = ApiClient.find(dir);
    if (running.isPresent()) {
      throw new UserError(
          dir + ": a node daemon already runs on this home (API " + running.get().address() + ")");
    }
    EventLog log = new EventLog(System.out);
    try (NodeDaemon daemon = NodeDaemon.start(h, log);
        ControlApi api = ControlApi.start(daemon, h, h.config().apiPort())) {
      System.out.println(
          "node " + h.peerId() + " federation " + daemon.federation().name() + " home " + dir);
      for (Multiaddr a : daemon.addresses()) {
        System.out.println("listening on " + a);
      }
      System.out.println("control API on http://" + api.address());
      System.out.flush();
      daemon.run();
      String signal = Foreground.awaitStopSignal();
      log.event("stopping", "on " + signal);
    }
    log.event("stopped", "");
    return Amalgam.EXIT_OK;
  }
}
