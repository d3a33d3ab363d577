/* physical: turns a logical plan into a graph of push operators (op.h).
 *
 * The one thing to know first: scans are not operators. Each SCAN becomes a
 * source entry (`srcs[i]`: its catalog table and the operator its batches
 * must be pushed into); the runtime reads the table and pushes. Every other
 * node becomes one operator whose `next` is its parent; the root's next is
 * the collector (`sink`). The pipeline owns its operators; the plan must
 * outlive it (operators borrow its expressions). */
#ifndef WEIR_ENGINE_PHYSICAL_H
#define WEIR_ENGINE_PHYSICAL_H

#include "engine/exec/op.h"
#include "engine/plan/plan.h"

struct phys_src {
    const struct cat_entry *table; /* NULL: a one-row, no-column source (SELECT without FROM) */
    const struct ty *schema;
    struct op *entry;
};

struct pipeline {
    struct op **ops;       /* all operators (for stats and freeing) */
    uint32_t nops;
    struct phys_src *srcs;
    uint32_t nsrcs;
    struct op **wms;       /* watermark operators */
    uint32_t nwms;
    struct op *sink;       /* the collector */
    bool streaming, stateful;
};

int phys_build(const struct lp *root, struct pipeline *out);
void phys_free(struct pipeline *p);

#endif
