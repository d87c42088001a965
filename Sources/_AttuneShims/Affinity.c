#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "AttuneShims.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>

// The CPUs the process may use, read once (before any thread is pinned).
static cpu_set_t process_cpus;
static pthread_once_t process_cpus_once = PTHREAD_ONCE_INIT;
static int process_cpus_known = 0;

static void read_process_cpus(void) {
  CPU_ZERO(&process_cpus);
  process_cpus_known = sched_getaffinity(0, sizeof process_cpus, &process_cpus) == 0;
}

int attune_current_cpu(void) { return sched_getcpu(); }

int attune_pin_current_thread(int index, int excluded) {
  pthread_once(&process_cpus_once, read_process_cpus);
  if (!process_cpus_known || index < 0) return -1;
  int candidates = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (CPU_ISSET(cpu, &process_cpus) && cpu != excluded) candidates++;
  }
  if (candidates == 0) return -1;
  int wanted = index % candidates;
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
    if (!CPU_ISSET(cpu, &process_cpus) || cpu == excluded) continue;
    if (wanted-- > 0) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return pthread_setaffinity_np(pthread_self(), sizeof one, &one) == 0 ? cpu : -1;
  }
  return -1;
}

#else

int attune_current_cpu(void) { return -1; }

int attune_pin_current_thread(int index, int excluded) {
  (void)index; (void)excluded;
  return -1;
}

#endif
