// LD_PRELOAD library that makes this process see an AVX2-only x86-64 CPU (no AVX-512, no VNNI, no AMX), as on
// AMD Zen 2/3 or older Intel parts. Libraries that pick their kernels by CPUID (onnxruntime's MLAS,
// CTranslate2) then take their AVX2 paths, so one machine can check that results do not depend on the CPU.
//
// How: arch_prctl(ARCH_SET_CPUID, 0) makes the CPUID instruction fault (Linux, on CPUs with CPUID faulting);
// the SIGSEGV handler runs the real CPUID with faulting briefly off, clears the hidden feature bits and
// skips the instruction. Handlers the program installs for SIGSEGV later (Node installs one) are chained:
// faults that are not CPUID go to them.
//   gcc -O2 -shared -fPIC -o avx2-only.so avx2-only.c -ldl
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

typedef int (*sigaction_fn)(int, const struct sigaction *, struct sigaction *);
static sigaction_fn real_sigaction;
static struct sigaction program_action;
static int program_has_action;

static int set_cpuid_faulting(int off) { return (int)syscall(SYS_arch_prctl, ARCH_SET_CPUID, off); }

static void hide_features(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
  if (leaf == 7 && sub == 0) {
    // EBX: AVX512 F, DQ, IFMA, PF, ER, CD, BW, VL
    *b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31));
    // ECX: AVX512 VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ
    *c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
    // EDX: AVX512 VP2INTERSECT, AMX-BF16, AVX512-FP16, AMX-TILE, AMX-INT8
    *d &= ~((1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) | (1u << 25));
  } else if (leaf == 7 && sub == 1) {
    *a &= ~((1u << 4) | (1u << 5)); // AVX-VNNI, AVX512-BF16
  } else if (leaf == 0xd && sub == 0) {
    *a &= ~0xe0u; // XCR0 state components of AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM)
  }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
  ucontext_t *uc = (ucontext_t *)context;
  greg_t *r = uc->uc_mcontext.gregs;
  const unsigned char *ip = (const unsigned char *)r[REG_RIP];
  if (ip[0] == 0x0f && ip[1] == 0xa2) {
    uint32_t leaf = (uint32_t)r[REG_RAX], sub = (uint32_t)r[REG_RCX], a, b, c, d;
    set_cpuid_faulting(1);
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(sub));
    set_cpuid_faulting(0);
    hide_features(leaf, sub, &a, &b, &c, &d);
    r[REG_RAX] = a;
    r[REG_RBX] = b;
    r[REG_RCX] = c;
    r[REG_RDX] = d;
    r[REG_RIP] += 2;
    return;
  }
  if (program_has_action && (program_action.sa_flags & SA_SIGINFO) && program_action.sa_sigaction) {
    program_action.sa_sigaction(sig, info, context);
    return;
  }
  if (program_has_action && program_action.sa_handler != SIG_DFL && program_action.sa_handler != SIG_IGN) {
    program_action.sa_handler(sig);
    return;
  }
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  real_sigaction(SIGSEGV, &dfl, 0); // the fault repeats and kills the process as it would have
}

// The program's SIGSEGV handler is remembered and chained instead of replacing ours.
int sigaction(int sig, const struct sigaction *act, struct sigaction *old) {
  if (!real_sigaction) real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  if (sig == SIGSEGV && act && act->sa_sigaction != on_segv) {
    if (old) {
      if (program_has_action) *old = program_action;
      else {
        memset(old, 0, sizeof *old);
        old->sa_handler = SIG_DFL;
      }
    }
    program_action = *act;
    program_has_action = 1;
    return 0;
  }
  return real_sigaction(sig, act, old);
}

__attribute__((constructor)) static void install(void) {
  if (!real_sigaction) real_sigaction = (sigaction_fn)dlsym(RTLD_NEXT, "sigaction");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  real_sigaction(SIGSEGV, &sa, 0);
  if (set_cpuid_faulting(0) != 0) {
    static const char msg[] = "avx2-only: CPUID faulting unavailable (arch_prctl ARCH_SET_CPUID): the real CPU is visible\n";
    (void)!write(2, msg, sizeof msg - 1);
  }
}
