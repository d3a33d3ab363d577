/* cmd: the subcommands of the weir binary. Each takes argv starting at its
 * own name and returns the process exit code. */
#ifndef WEIR_CMD_H
#define WEIR_CMD_H

struct cmd {
    const char *name, *help;
    int (*run)(int argc, char **argv);
};

int cmd_broker(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_topic(int argc, char **argv);
int cmd_produce(int argc, char **argv);
int cmd_consume(int argc, char **argv);
int cmd_group(int argc, char **argv);
int cmd_cluster(int argc, char **argv);

#endif
