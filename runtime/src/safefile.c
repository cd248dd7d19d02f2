/*
** safefile.c -- writing files so that a crash, an error or a full disk
** never leaves a half-written target: write a temporary file in the same
** folder, then rename it over the target (atomic on POSIX). With
** 'durable', the file is fsync'd before the rename and the folder after
** it, so the new file also survives a power loss. An fsync failure is
** final: we never retry and report success (the "fsyncgate" lesson).
*/
#include "npio_int.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dirname_of(const char *path) {
  char *copy = strdup(path), *d, *r;
  if (copy == NULL) return NULL;
  d = dirname(copy);
  r = strdup(d);
  free(copy);
  return r;
}

/*
** The process umask, read from /proc (Linux 4.7+) so that threaded hosts
** never see it changed; the umask() round trip is the fallback.
*/
static mode_t current_umask(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[128];
  mode_t um;
  if (f != NULL) {
    while (fgets(line, sizeof(line), f))
      if (strncmp(line, "Umask:", 6) == 0) {
        fclose(f);
        return (mode_t)strtol(line + 6, NULL, 8);
      }
    fclose(f);
  }
  um = umask(022);
  umask(um);
  return um;
}

int npio_safe_open(npio_safefile *sf, const char *path, int atomic,
                   int durable, npio_err *e) {
  struct stat st;
  mode_t mode;
  memset(sf, 0, sizeof(*sf));
  sf->fd = -1;
  sf->durable = durable;
  sf->path = strdup(path);
  if (sf->path == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  if (!atomic) {
    sf->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (sf->fd < 0) {
      int err = errno;
      free(sf->path);
      sf->path = NULL;
      return npio_seterr(e, NPIO_EIO, "cannot open for writing: %s",
                         strerror(err));
    }
    return NPIO_OK;
  }
  {
    /* ".<name>.npio-XXXXXX" next to the target: same file system */
    char *dir = dirname_of(path), *copy = strdup(path);
    const char *base = copy ? basename(copy) : NULL;
    size_t n;
    if (dir == NULL || base == NULL) {
      free(dir);
      free(copy);
      free(sf->path);
      sf->path = NULL;
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    }
    n = strlen(dir) + strlen(base) + 32;
    sf->tmppath = (char *)malloc(n);
    if (sf->tmppath)
      snprintf(sf->tmppath, n, "%s/.%s.npio-XXXXXX", dir, base);
    free(dir);
    free(copy);
    if (sf->tmppath == NULL) {
      free(sf->path);
      sf->path = NULL;
      return npio_seterr(e, NPIO_ENOMEM, "out of memory");
    }
  }
  sf->fd = mkostemp(sf->tmppath, O_CLOEXEC);
  if (sf->fd < 0) {
    int err = errno;
    free(sf->tmppath);
    free(sf->path);
    sf->tmppath = sf->path = NULL;
    return npio_seterr(e, NPIO_EIO, "cannot create a temporary file next to "
                       "it: %s", strerror(err));
  }
  /* the new file gets the old one's mode, or 0666 less the umask */
  if (stat(path, &st) == 0)
    mode = st.st_mode & 07777;
  else
    mode = 0666 & ~current_umask();
  if (fchmod(sf->fd, mode) != 0) { /* not fatal: the data is what matters */ }
  return NPIO_OK;
}

int npio_write_all(int fd, const void *p, size_t n, npio_err *e) {
  const char *c = (const char *)p;
  while (n > 0) {
    /* Linux writes at most 0x7ffff000 bytes per call */
    size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
    ssize_t w = write(fd, c, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      return npio_seterr(e, NPIO_EIO, "write failed: %s", strerror(errno));
    }
    if (w == 0)
      return npio_seterr(e, NPIO_EIO, "write failed: no progress");
    c += w;
    n -= (size_t)w;
  }
  return NPIO_OK;
}

int npio_safe_write(npio_safefile *sf, const void *p, size_t n, npio_err *e) {
  return npio_write_all(sf->fd, p, n, e);
}

void npio_safe_reserve(npio_safefile *sf, int64_t n) {
  /* best effort: one extent, and ENOSPC surfaces before any data moves */
  if (n > 0) (void)posix_fallocate(sf->fd, 0, (off_t)n);
}

static int fsync_dir(const char *path, npio_err *e) {
  char *dir = dirname_of(path);
  int fd, st = NPIO_OK;
  if (dir == NULL) return npio_seterr(e, NPIO_ENOMEM, "out of memory");
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(dir);
  if (fd < 0) return npio_seterr(e, NPIO_EIO, "cannot open the folder to "
                                 "fsync it: %s", strerror(errno));
  if (fsync(fd) != 0 && errno != EINVAL)
    st = npio_seterr(e, NPIO_EIO, "fsync of the folder failed: %s",
                     strerror(errno));
  close(fd);
  return st;
}

int npio_safe_commit(npio_safefile *sf, npio_err *e) {
  int st = NPIO_OK;
  if (sf->fd < 0) return npio_seterr(e, NPIO_EIO, "file is not open");
  if (sf->durable && fsync(sf->fd) != 0)
    st = npio_seterr(e, NPIO_EIO, "fsync failed: %s", strerror(errno));
  if (close(sf->fd) != 0 && st == NPIO_OK)
    st = npio_seterr(e, NPIO_EIO, "close failed: %s", strerror(errno));
  sf->fd = -1;
  if (st == NPIO_OK && sf->tmppath == NULL && sf->durable)
    st = fsync_dir(sf->path, e);   /* a new file's name lives in the folder */
  if (st == NPIO_OK && sf->tmppath) {
    if (rename(sf->tmppath, sf->path) != 0)
      st = npio_seterr(e, NPIO_EIO, "cannot rename the temporary file over "
                       "it: %s", strerror(errno));
    else {
      free(sf->tmppath);
      sf->tmppath = NULL;
      if (sf->durable) st = fsync_dir(sf->path, e);
    }
  }
  if (st != NPIO_OK) {
    npio_safe_abort(sf);
    return st;
  }
  free(sf->path);
  sf->path = NULL;
  return NPIO_OK;
}

void npio_safe_abort(npio_safefile *sf) {
  if (sf->fd >= 0) close(sf->fd);
  sf->fd = -1;
  if (sf->tmppath) unlink(sf->tmppath);
  free(sf->tmppath);
  free(sf->path);
  sf->tmppath = sf->path = NULL;
}
