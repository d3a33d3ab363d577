/* weir: the one binary. Dispatches to a subcommand:
 *   weir broker [--config FILE] [--override key=value ...]
 * Every subcommand lives in src/cli/cmd_<name>.c and is listed here. */
#include "cli/cmd.h"

#include <stdio.h>
#include <string.h>

static const struct cmd commands[] = {
    {"broker", "run the Kafka-compatible broker", cmd_broker},
    {"run", "run a Spark-dialect SQL pipeline", cmd_run},
    {"topic", "create, list, describe, alter and delete topics", cmd_topic},
    {"produce", "send lines from stdin or a file as messages", cmd_produce},
    {"consume", "print a topic's messages", cmd_consume},
    {"group", "list, describe, reset offsets of and delete consumer groups", cmd_group},
    {"cluster", "cluster id, controller, brokers and the API versions they support", cmd_cluster},
};

static void usage(FILE *f) {
    fprintf(f, "usage: weir COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nweir help COMMAND (or weir COMMAND --help) shows a command's options and examples.\n");
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "help")) { /* weir help COMMAND = weir COMMAND --help */
        char *args[] = {argv[2], "--help", NULL};
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (!strcmp(argv[2], commands[i].name)) return commands[i].run(2, args);
        fprintf(stderr, "weir: unknown command '%s'\n", argv[2]);
        usage(stderr);
        return 1;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "weir: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
