package dev.amalgam.node.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "sub",
    mixinStandardHelpOptions = true,
    description = "Subscribe to TOPIC and print each message as '<sender peer id> <text>'.")
final class PubsubSubCommand implements Callable<Integer> {
  @Parameters(paramLabel = "TOPIC")
  String topic;

  @Mixin PubsubClient client;

  @Option(
      names = "--count",
      description = "Exit after this many messages (default: run until interrupted).")
  Integer count;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    CountDownLatch left = new CountDownLatch(count == null ? 1 : count);
    try (PubsubClient.Node node = client.start()) {
      node.router()
          .subscribe(
              topic,
              m -> {
                synchronized (out) {
                  out.println(m.author() + " " + new String(m.data(), StandardCharsets.UTF_8));
                  out.flush();
                }
                if (count != null) {
                  left.countDown();
                }
              });
      left.await();
    }
    return Amalgam.EXIT_OK;
  }
}
