/* float32 GEMM: C[m,n] = A[m,k] @ B[k,n] (or C += A @ B), Goto/BLIS style.
 *
 * Algorithm. The product is cut into blocks sized for the cache levels, each operand block
 * is copied ("packed") into a contiguous buffer in exactly the order the micro-kernel reads
 * it, and a register-blocked micro-kernel (csrc/gemm_microkernels.c) computes MR x NR tiles
 * of C from packed panels. Transposition and slicing are absorbed by the packing, which
 * reads A and B through element strides (rs, cs): a transposed NumPy view is never copied.
 * Edge blocks are zero-padded to whole micro-panels, so the micro-kernel always runs full
 * tiles and writes back only the valid m_cur x n_cur corner.
 *
 * Layout. A[i][p] = a[i*rs_a + p*cs_a], B[p][j] = b[p*rs_b + j*cs_b], C[i][j] = c[i*rs_c + j].
 * A is read through a packer callback (gemm.h), so convolution can pack im2col panels
 * straight from an image; gf_sgemm uses the strided packer gf_sgemm_pack_a_strided. One
 * exception ("direct A"): a part at most DIRECT_A_MAX_N columns wide would use each packed
 * A element only a few times, so with a strided A the micro-kernel reads A in place (its
 * MR rows through rs_a, cs_a) and only a last, partial row panel is packed (zero-padded).
 * The arithmetic is the same either way, so the bits are too.
 *
 * Loop nest of one part (its rows [i_begin, i_end) and columns [j_begin, j_end) of C):
 *     for jc in j_begin..j_end step NC      5th loop: KC x NC panel of B (L3)
 *       for pc in 0..k step KC              4th loop: rank-KC update; pack B[pc, jc] -> Bp
 *         for ic in i_begin..i_end step MC  3rd loop: pack A[ic, pc] -> Ap (MC x KC in L2)
 *           for jr in 0..nc step NR         2nd loop: KC x NR micro-panel of Bp (L1)
 *             for ir in 0..mc step MR       1st loop: MR x KC micro-panel of Ap (L1/L2)
 *               micro-kernel: C[ic+ir.., jc+jr..] (+)= Ap[ir] @ Bp[jr]
 * Threads. Parts split the OUTPUT only: part ith of nth owns a rectangle of whole MR x NR
 * tiles (choose_grid: a pm x pn grid over row panels and column panels, pm * pn = nth,
 * picked to minimise the largest part including its packing). Each part packs what it reads
 * into its own buffers, so parts never wait for each other, and every element of C is the
 * same sequence of float operations whatever the partition: results are bitwise identical
 * for any thread count.
 *
 * Reading guide: block sizes, the reference triple loop, packing, the macro-kernel, the part
 * (loops 5-3), then the public entry points, which validate and fan parts out to the pool.
 */
#include "gf_common.h"
#include "cpu.h"
#include "gemm.h"
#include "threadpool.h"

#include <stdatomic.h>

/* Block sizes for the 2-core AMD EPYC (Zen 5) KVM guest (the guest reports L1d 32 KiB, L2
 * 512 KiB per core, L3 32 MiB; a 12-chain FMA loop measures the AVX2 peak at ~100 GFLOP/s,
 * i.e. ~3.1 GHz, and the 6x16 kernel alone reaches 91-96 of it on L1-resident panels).
 * KC: the KC x NR panel of B (24 KiB at KC = 384) stays in L1 while A panels stream past it.
 * MC: the MC x KC block of A (180 KiB) stays in L2, with room for the B panels passing by.
 * NC: the KC x NC block of B (6 MiB at NC = 4096) lives in L3.
 * Sweep (1 thread, best of 3 interleaved rounds, GFLOP/s at 256/512/1024/2048): KC in
 * {256, 384, 512} x MC in {72..288} all peak at 92-94 at 1024^3; the differences are below
 * the VM's run-to-run noise (+-10%), so KC = 384 (fewest passes over C) and MC = 120 stay. */
#define MR GF_GEMM_MR
#define KC GF_GEMM_KC
#define MC GF_GEMM_MC
#define NC 4096

_Static_assert(MC % MR == 0, "MC must hold whole micro-panels");

/* Parts at most this many columns wide read a strided A in place instead of packing it:
 * each packed element would be used by at most DIRECT_A_MAX_N / NR micro-kernel calls. */
#ifndef DIRECT_A_MAX_N
#define DIRECT_A_MAX_N 128
#endif

/* Below this many flops per thread, waking the pool costs more than it saves. On this VM a
 * sleeping worker starts its part ~50 us after the job is posted (the caller meanwhile runs
 * the parts itself), so with the threshold disabled, 2 threads vs 1 measured: 4.2 MFLOP
 * (45 us) 0.96x, 8.4 MFLOP (89 us) 0.96x, 16.8 MFLOP (180 us) 1.3x, 33.5 MFLOP (350 us)
 * 1.5x, 1 GFLOP 1.8-1.9x. 6 MFLOP per thread puts the switch near the break-even point
 * (~12 MFLOP for 2 threads). The choice never changes the result. */
#ifndef GEMM_MIN_FLOPS_PER_THREAD
#define GEMM_MIN_FLOPS_PER_THREAD 6e6
#endif

/* The per-ISA half of the configuration: the kernel and the B panel width it reads. */
struct gemm_config {
    gf_sgemm_ukernel_fn kernel;
    int64_t nr;
    int isa;
};

static struct gemm_config config_for_isa(int isa)
{
    struct gemm_config config = {gf_sgemm_ukernel_generic, GF_SGEMM_NR_GENERIC, isa};
#if GF_X86_SIMD
    if (isa >= GF_ISA_AVX512) {
        config.kernel = gf_sgemm_ukernel_avx512;
        config.nr = GF_SGEMM_NR_AVX512;
    } else if (isa == GF_ISA_AVX2) {
        config.kernel = gf_sgemm_ukernel_avx2;
        config.nr = GF_SGEMM_NR_AVX2;
    }
#else
    (void)isa;
#endif
    return config;
}

/* One product, as every part sees it. */
struct gemm_problem {
    int64_t m, n, k;
    gf_sgemm_pack_a_fn pack_a;
    const void *a_ctx;
    const float *b;
    int64_t rs_b, cs_b;
    float *c;
    int64_t rs_c;
    int accumulate;
    struct gemm_config config; /* read once per call, so every part runs the same kernel */
};

static int64_t min64(int64_t x, int64_t y) { return x < y ? x : y; }

static int64_t ceil_div(int64_t x, int64_t y) { return x / y + (x % y != 0); }

/* ----------------------------------------------------------------------------- reference */

int gf_sgemm_ref(int64_t m, int64_t n, int64_t k, const float *GF_RESTRICT a, int64_t rs_a,
                 int64_t cs_a, const float *GF_RESTRICT b, int64_t rs_b, int64_t cs_b,
                 float *GF_RESTRICT c, int64_t rs_c, int accumulate)
{
    if (m < 0 || n < 0 || k < 0 || rs_a < 0 || cs_a < 0 || rs_b < 0 || cs_b < 0 || rs_c < n ||
        (m > 0 && n > 0 && (c == NULL || (k > 0 && (a == NULL || b == NULL))))) {
        return GF_EINVAL;
    }
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            float sum = 0.0f;
            for (int64_t p = 0; p < k; p++) {
                sum += a[i * rs_a + p * cs_a] * b[p * rs_b + j * cs_b];
            }
            c[i * rs_c + j] = accumulate ? c[i * rs_c + j] + sum : sum;
        }
    }
    return GF_OK;
}

/* ----------------------------------------------------------------------------- packing */

void gf_sgemm_pack_a_strided(const void *a_ctx, int64_t i0, int64_t p0, int64_t mc, int64_t kc,
                             float *GF_RESTRICT dst)
{
    const struct gf_sgemm_strided_a *view = a_ctx;
    const int64_t rs = view->rs, cs = view->cs;
    const int simd = GF_X86_SIMD && gf_active_isa() >= GF_ISA_AVX2;
    for (int64_t ir = 0; ir < mc; ir += MR, dst += MR * kc) {
        const int64_t rows = min64(MR, mc - ir);
        const float *GF_RESTRICT src = view->a + (i0 + ir) * rs + p0 * cs;
        if (rows == MR && cs == 1) { /* row-major A: a transpose */
#if GF_X86_SIMD
            if (simd) {
                gf_sgemm_pack_a_rows_avx2(kc, src, rs, dst);
                continue;
            }
#endif
            for (int64_t p = 0; p < kc; p++) {
                for (int64_t q = 0; q < MR; q++) {
                    dst[p * MR + q] = src[q * rs + p];
                }
            }
        } else if (rows == MR && rs == 1) { /* transposed A: MR contiguous floats per p */
            for (int64_t p = 0; p < kc; p++) {
                memcpy(dst + p * MR, src + p * cs, MR * sizeof(float));
            }
        } else {
            for (int64_t p = 0; p < kc; p++) {
                for (int64_t q = 0; q < MR; q++) {
                    dst[p * MR + q] = q < rows ? src[q * rs + p * cs] : 0.0f;
                }
            }
        }
    }
    (void)simd;
}

/* Copies the full panels of a row-major B row by row: row p of B goes, nr floats at a time,
 * to row p of each of the `panels` micro-panels. Reading B in its own order lets the hardware
 * prefetcher stream it; panel by panel, every row is a new line, and a B fresh from memory
 * (a weight matrix the optimizer just rewrote) packed ~30% slower. */
static inline void copy_panels_by_row(int64_t kc, int64_t panels, const float *GF_RESTRICT src,
                                      int64_t rs, int64_t nr, float *GF_RESTRICT dst)
{
    for (int64_t p = 0; p < kc; p++) {
        for (int64_t panel = 0; panel < panels; panel++) {
            memcpy(dst + panel * nr * kc + p * nr, src + p * rs + panel * nr,
                   (size_t)nr * sizeof(float));
        }
    }
}

/* Packs B[0:kc, 0:nc] (strides rs, cs) into ceil(nc/nr) micro-panels of nr columns, each
 * stored row by row: dst[jr*kc + p*nr + j] = B[p][jr + j], zero beyond column nc. */
static void pack_b(int64_t kc, int64_t nc, const float *GF_RESTRICT b, int64_t rs, int64_t cs,
                   int64_t nr, int simd, float *GF_RESTRICT dst)
{
    int64_t jr = 0;
    if (cs == 1 && nc >= nr) { /* row-major B: every full panel at once */
        const int64_t panels = nc / nr;
        if (nr == GF_SGEMM_NR_AVX2) { /* every nr in gemm.h is one of these two */
            copy_panels_by_row(kc, panels, b, rs, GF_SGEMM_NR_AVX2, dst);
        } else {
            copy_panels_by_row(kc, panels, b, rs, GF_SGEMM_NR_AVX512, dst);
        }
        jr = panels * nr;
        dst += panels * nr * kc;
    }
    for (; jr < nc; jr += nr, dst += nr * kc) {
        const int64_t cols = min64(nr, nc - jr);
        const float *GF_RESTRICT src = b + jr * cs;
        if (cols == nr && rs == 1) { /* transposed B: a transpose */
#if GF_X86_SIMD
            if (simd && nr == 16) { /* the AVX2 kernel's panels */
                gf_sgemm_pack_b_cols16_avx2(kc, src, cs, dst);
                continue;
            }
#endif
            for (int64_t j = 0; j < nr; j++) {
                for (int64_t p = 0; p < kc; p++) {
                    dst[p * nr + j] = src[j * cs + p];
                }
            }
        } else {
            for (int64_t p = 0; p < kc; p++) {
                for (int64_t j = 0; j < nr; j++) {
                    dst[p * nr + j] = j < cols ? src[p * rs + j * cs] : 0.0f;
                }
            }
        }
    }
    (void)simd;
}

/* ----------------------------------------------------------------------------- macro-kernel */

/* Where the micro-kernel finds the MR-row panels of one MC x KC block of A: panel r starts
 * at base + r*panel_step and holds A[q][p] at q*rs + p*cs. A packed block has rs = 1,
 * cs = MR, panel_step = MR*kc; an unpacked one (direct A) points into the caller's matrix,
 * and its last panel, when it has fewer than MR rows, is the packed, zero-padded `edge`. */
struct a_panels {
    const float *base;
    int64_t rs, cs, panel_step;
    const float *edge;
};

/* C[0:mc, 0:nc] (+)= A @ Bp for one MC x KC block of A and one packed KC x NC panel of B. */
static void macro_kernel(const struct gemm_config *config, int64_t mc, int64_t nc, int64_t kc,
                         const struct a_panels *ap, const float *GF_RESTRICT bp,
                         float *GF_RESTRICT c, int64_t rs_c, int accumulate)
{
    const int64_t nr = config->nr;
    for (int64_t jr = 0; jr < nc; jr += nr) {     /* 2nd loop: micro-panels of Bp */
        const int64_t n_cur = min64(nr, nc - jr);
        for (int64_t ir = 0; ir < mc; ir += MR) { /* 1st loop: micro-panels of A */
            const int64_t m_cur = min64(MR, mc - ir);
            const float *panel = ap->base + ir / MR * ap->panel_step;
            int64_t rs = ap->rs, cs = ap->cs;
            if (m_cur < MR && ap->edge != NULL) {
                panel = ap->edge;
                rs = 1;
                cs = MR;
            }
            config->kernel(kc, panel, rs, cs, bp + jr * kc, c + ir * rs_c + jr, rs_c, m_cur,
                           n_cur, accumulate);
        }
    }
}

/* ----------------------------------------------------------------------------- one part */

/* The pm x pn grid of parts (pm * pn = nth) whose largest part costs least: its tiles'
 * multiply-adds plus its packing (each packed element costs about as much as 8 multiply-adds
 * per k, a rough figure that only breaks ties between near-equal grids). */
static void choose_grid(int64_t m, int64_t n, int64_t nr, int nth, int *pm, int *pn)
{
    const int64_t row_tiles = ceil_div(m, MR), col_tiles = ceil_div(n, nr);
    double best = -1.0;
    *pm = 1;
    *pn = nth;
    for (int rows = 1; rows <= nth; rows++) {
        if (nth % rows != 0) {
            continue;
        }
        const int cols = nth / rows;
        const double part_m = (double)(ceil_div(row_tiles, rows) * MR);
        const double part_n = (double)(ceil_div(col_tiles, cols) * nr);
        const double cost = part_m * part_n + 8.0 * (part_m + part_n);
        if (best < 0.0 || cost < best) {
            best = cost;
            *pm = rows;
            *pn = cols;
        }
    }
}

/* [begin, end) of share `index` of `tiles` tiles of `size` elements split `parts` ways,
 * clipped to `total`: balanced to one tile, and overflow-free for any int64 count. */
static void share(int64_t total, int64_t size, int index, int parts, int64_t *begin, int64_t *end)
{
    const int64_t tiles = ceil_div(total, size);
    const int64_t base = tiles / parts, extra = tiles % parts;
    const int64_t first = base * index + min64(index, extra);
    const int64_t count = base + (index < extra);
    *begin = min64(total, first * size);
    *end = min64(total, (first + count) * size);
}

/* A part's packing buffers, kept across the items of a batch (allocated on first need,
 * grown when an item needs more, freed by the part's caller on every path). */
struct workspace {
    float *ap, *bp;
    size_t ap_len, bp_len; /* in floats */
};

static int reserve(float **buffer, size_t *len, size_t need)
{
    if (*len >= need && *buffer != NULL) {
        return GF_OK;
    }
    gf_aligned_free(*buffer);
    *buffer = gf_aligned_alloc(64, need * sizeof(float));
    *len = *buffer != NULL ? need : 0;
    return *buffer != NULL ? GF_OK : GF_ENOMEM;
}

static int gemm_part(const struct gemm_problem *pr, int ith, int nth, struct workspace *ws)
{
    const int64_t nr = pr->config.nr;
    int pm, pn;
    choose_grid(pr->m, pr->n, nr, nth, &pm, &pn);
    int64_t i_begin, i_end, j_begin, j_end;
    share(pr->m, MR, ith / pn, pm, &i_begin, &i_end);
    share(pr->n, nr, ith % pn, pn, &j_begin, &j_end);
    if (i_begin >= i_end || j_begin >= j_end) {
        return GF_OK;
    }
    if (pr->k == 0) { /* an empty sum: C = 0, or C unchanged */
        for (int64_t i = i_begin; i < i_end && !pr->accumulate; i++) {
            memset(pr->c + i * pr->rs_c + j_begin, 0, (size_t)(j_end - j_begin) * sizeof(float));
        }
        return GF_OK;
    }
    /* Packing A pays off when the packed block is reused across many column panels; a
     * part this narrow reads A in place (same arithmetic, so the same bits). */
    const int direct = pr->pack_a == gf_sgemm_pack_a_strided && j_end - j_begin <= DIRECT_A_MAX_N;
    const struct gf_sgemm_strided_a *view = pr->a_ctx;
    const int64_t kc_max = min64(KC, pr->k);
    const int64_t mc_max = direct ? MR : min64(MC, ceil_div(i_end - i_begin, MR) * MR);
    const int64_t nc_max = min64(NC, ceil_div(j_end - j_begin, nr) * nr);
    if (reserve(&ws->ap, &ws->ap_len, (size_t)(mc_max * kc_max)) != GF_OK ||
        reserve(&ws->bp, &ws->bp_len, (size_t)(kc_max * nc_max)) != GF_OK) {
        return GF_ENOMEM;
    }
    float *ap = ws->ap, *bp = ws->bp;
    for (int64_t jc = j_begin; jc < j_end; jc += NC) {         /* 5th loop: panels of B */
        const int64_t nc = min64(NC, j_end - jc);
        for (int64_t pc = 0; pc < pr->k; pc += KC) {            /* 4th loop: rank-KC updates */
            const int64_t kc = min64(KC, pr->k - pc);
            pack_b(kc, nc, pr->b + pc * pr->rs_b + jc * pr->cs_b, pr->rs_b, pr->cs_b, nr,
                   pr->config.isa >= GF_ISA_AVX2, bp);
            const int accumulate = pr->accumulate || pc > 0;
            for (int64_t ic = i_begin; ic < i_end; ic += MC) {  /* 3rd loop: blocks of A */
                const int64_t mc = min64(MC, i_end - ic);
                struct a_panels panels = {ap, 1, MR, MR * kc, NULL};
                if (direct) {
                    panels = (struct a_panels){view->a + ic * view->rs + pc * view->cs, view->rs,
                                               view->cs, MR * view->rs, NULL};
                    if (mc % MR != 0) { /* the last panel would read rows past the block */
                        const int64_t last = mc / MR * MR;
                        pr->pack_a(pr->a_ctx, ic + last, pc, mc - last, kc, ap);
                        panels.edge = ap;
                    }
                } else {
                    pr->pack_a(pr->a_ctx, ic, pc, mc, kc, ap);
                }
                macro_kernel(&pr->config, mc, nc, kc, &panels, bp, pr->c + ic * pr->rs_c + jc,
                             pr->rs_c, accumulate);
            }
        }
    }
    return GF_OK;
}

/* ----------------------------------------------------------------------------- entry points */

/* Shared argument checks; A is checked by the caller (strided or custom). */
static int check_bc(int64_t m, int64_t n, int64_t k, int a_missing, const float *b, int64_t rs_b,
                    int64_t cs_b, const float *c, int64_t rs_c)
{
    if (m < 0 || n < 0 || k < 0 || rs_b < 0 || cs_b < 0 || rs_c < n) {
        return GF_EINVAL;
    }
    if (m > 0 && n > 0 && (c == NULL || (k > 0 && (a_missing || b == NULL)))) {
        return GF_EINVAL;
    }
    return GF_OK;
}

int gf_sgemm_custom_a_part(int64_t m, int64_t n, int64_t k, gf_sgemm_pack_a_fn pack_a,
                           const void *a_ctx, const float *b, int64_t rs_b, int64_t cs_b,
                           float *c, int64_t rs_c, int accumulate, int ith, int nth)
{
    int status = check_bc(m, n, k, pack_a == NULL, b, rs_b, cs_b, c, rs_c);
    if (status != GF_OK || nth < 1 || ith < 0 || ith >= nth) {
        return status != GF_OK ? status : GF_EINVAL;
    }
    const struct gemm_problem pr = {m, n, k, pack_a, a_ctx, b, rs_b, cs_b, c, rs_c,
                                    accumulate, config_for_isa(gf_active_isa())};
    struct workspace ws = {NULL, NULL, 0, 0};
    const int result = gemm_part(&pr, ith, nth, &ws);
    gf_aligned_free(ws.ap);
    gf_aligned_free(ws.bp);
    return result;
}

int gf_sgemm_part(int64_t m, int64_t n, int64_t k, const float *a, int64_t rs_a, int64_t cs_a,
                  const float *b, int64_t rs_b, int64_t cs_b, float *c, int64_t rs_c,
                  int accumulate, int ith, int nth)
{
    if (rs_a < 0 || cs_a < 0) {
        return GF_EINVAL;
    }
    const struct gf_sgemm_strided_a view = {a, rs_a, cs_a};
    return gf_sgemm_custom_a_part(m, n, k, a == NULL ? NULL : gf_sgemm_pack_a_strided, &view, b,
                                  rs_b, cs_b, c, rs_c, accumulate, ith, nth);
}

/* How many parts to run: at most nth and the pool's size, one per GEMM_MIN_FLOPS_PER_THREAD
 * of work, one per tile. */
static int parts_for(struct gf_threadpool *pool, int nth, int64_t batch, int64_t m, int64_t n,
                     int64_t k, int64_t nr)
{
    if (pool == NULL || nth <= 1) {
        return 1;
    }
    const int size = gf_threadpool_size(pool);
    const double by_work = 2.0 * (double)batch * (double)m * (double)n * (double)k /
                           GEMM_MIN_FLOPS_PER_THREAD;
    const double tiles = (double)batch * (double)ceil_div(m, MR) * (double)ceil_div(n, nr);
    int parts = nth < size ? nth : size;
    if (by_work < parts) {
        parts = by_work < 1.0 ? 1 : (int)by_work;
    }
    if (tiles < parts) {
        parts = tiles < 1.0 ? 1 : (int)tiles;
    }
    return parts;
}

/* A whole (possibly batched) product on the pool. Item t of the batch is the problem with
 * A, B and C advanced by t batch strides. Large batches split over items (each part does
 * whole products); batches smaller than the part count split every product over tiles. */
struct gemm_job {
    struct gemm_problem pr; /* item 0; pr.a_ctx points at `view` */
    struct gf_sgemm_strided_a view;
    int64_t batch, bs_a, bs_b, bs_c;
    atomic_int status;
};

static void run_item(struct gemm_job *job, int64_t t, int ith, int nth, struct workspace *ws)
{
    struct gemm_problem pr = job->pr;
    struct gf_sgemm_strided_a view = job->view;
    if (t > 0) { /* item 0 keeps the caller's pointers: a custom a_ctx is not a strided view */
        pr.a_ctx = &view;
        pr.c += t * job->bs_c;
        if (pr.k > 0) { /* an empty A or B may be NULL, which takes no offset */
            view.a += t * job->bs_a;
            pr.b += t * job->bs_b;
        }
    }
    const int status = gemm_part(&pr, ith, nth, ws);
    if (status != GF_OK) {
        atomic_store(&job->status, status);
    }
}

static void gemm_task(void *arg, int ith, int nth)
{
    struct gemm_job *job = arg;
    struct workspace ws = {NULL, NULL, 0, 0};
    if (job->batch >= nth) {
        int64_t begin, end;
        share(job->batch, 1, ith, nth, &begin, &end);
        for (int64_t t = begin; t < end; t++) {
            run_item(job, t, 0, 1, &ws);
        }
    } else {
        for (int64_t t = 0; t < job->batch; t++) {
            run_item(job, t, ith, nth, &ws);
        }
    }
    gf_aligned_free(ws.ap);
    gf_aligned_free(ws.bp);
}

static int run_job(struct gf_threadpool *pool, int nth, struct gemm_job *job)
{
    const struct gemm_problem *pr = &job->pr;
    if (job->batch == 0 || pr->m == 0 || pr->n == 0) {
        return GF_OK;
    }
    const int parts = parts_for(pool, nth, job->batch, pr->m, pr->n, pr->k, pr->config.nr);
    atomic_init(&job->status, GF_OK);
    gf_threadpool_run(pool, gemm_task, job, parts);
    return atomic_load(&job->status);
}

int gf_sgemm_custom_a(struct gf_threadpool *pool, int nth, int64_t m, int64_t n, int64_t k,
                      gf_sgemm_pack_a_fn pack_a, const void *a_ctx, const float *b, int64_t rs_b,
                      int64_t cs_b, float *c, int64_t rs_c, int accumulate)
{
    const int status = check_bc(m, n, k, pack_a == NULL, b, rs_b, cs_b, c, rs_c);
    if (status != GF_OK || nth < 1) {
        return status != GF_OK ? status : GF_EINVAL;
    }
    struct gemm_job job = {
        .pr = {m, n, k, pack_a, a_ctx, b, rs_b, cs_b, c, rs_c, accumulate,
               config_for_isa(gf_active_isa())},
        .batch = 1,
    };
    return run_job(pool, nth, &job);
}

int gf_sgemm(struct gf_threadpool *pool, int nth, int64_t m, int64_t n, int64_t k,
             const float *a, int64_t rs_a, int64_t cs_a, const float *b, int64_t rs_b,
             int64_t cs_b, float *c, int64_t rs_c, int accumulate)
{
    return gf_sgemm_batched(pool, nth, 1, m, n, k, a, 0, rs_a, cs_a, b, 0, rs_b, cs_b, c, 0, rs_c,
                            accumulate);
}

int gf_sgemm_batched(struct gf_threadpool *pool, int nth, int64_t batch, int64_t m, int64_t n,
                     int64_t k, const float *a, int64_t bs_a, int64_t rs_a, int64_t cs_a,
                     const float *b, int64_t bs_b, int64_t rs_b, int64_t cs_b, float *c,
                     int64_t bs_c, int64_t rs_c, int accumulate)
{
    const int status = check_bc(m, n, k, a == NULL, b, rs_b, cs_b, c, rs_c);
    if (status != GF_OK || nth < 1 || batch < 0 || rs_a < 0 || cs_a < 0 || bs_a < 0 ||
        bs_b < 0 || bs_c < 0) {
        return status != GF_OK ? status : GF_EINVAL;
    }
    struct gemm_job job = {
        .pr = {m, n, k, gf_sgemm_pack_a_strided, NULL, b, rs_b, cs_b, c, rs_c, accumulate,
               config_for_isa(gf_active_isa())},
        .view = {a, rs_a, cs_a},
        .batch = batch,
        .bs_a = bs_a,
        .bs_b = bs_b,
        .bs_c = bs_c,
    };
    job.pr.a_ctx = &job.view;
    return run_job(pool, nth, &job);
}
