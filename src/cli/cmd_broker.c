/* cmd_broker: `weir broker` — placeholder until the broker lands. */
#include "cli/cmd.h"

#include <stdio.h>

int cmd_broker(int argc, char **argv) {
    (void)argc; (void)argv;
    fprintf(stderr, "weir broker: not built yet\n");
    return 1;
}
