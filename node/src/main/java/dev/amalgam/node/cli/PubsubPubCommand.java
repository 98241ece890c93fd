package dev.amalgam.node.cli;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "pub",
    mixinStandardHelpOptions = true,
    description = "Publish MESSAGE (UTF-8, signed with a fresh key) to TOPIC.")
final class PubsubPubCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TOPIC")
  String topic;

  @Parameters(index = "1", paramLabel = "MESSAGE")
  String message;

  @Mixin PubsubClient client;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try (PubsubClient.Node node = client.start()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(client.timeoutSeconds).toNanos();
      while (node.router().topicPeers(topic).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new UserError(
              "no peer subscribed to topic '" + topic + "' within " + client.timeoutSeconds + " s");
        }
        Thread.sleep(20);
      }
      int sent = node.router().publish(topic, message.getBytes(StandardCharsets.UTF_8));
      if (!node.router().awaitFlushed(Duration.ofSeconds(client.timeoutSeconds))) {
        throw new UserError("could not send the message to the subscribers of '" + topic + "'");
      }
      spec.commandLine().getOut().println("published to " + sent + " peers");
    }
    return Amalgam.EXIT_OK;
  }
}
