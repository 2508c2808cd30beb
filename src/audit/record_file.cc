#include "audit/record_file.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <utility>

#include "audit/chain.h"

namespace tabadul::audit {
namespace {

constexpr char kMarker[] = "TREC";
constexpr size_t kMarkerSize = 4;
constexpr size_t kFrameHead = kMarkerSize + 4;  // marker || u32 n
constexpr size_t kFrameTail = 4;                // u32 n
constexpr uint32_t kMinPayload = 1 + kHashBytes;
constexpr uint32_t kMaxPayload = 256u << 20;  // far above any real record (a page of 10,000)
constexpr size_t kScanChunk = 1 << 20;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

uint32_t GetU32(const char* p) {
  return static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}

void PutU32(uint32_t v, std::string* out) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(b, 4);
}

// Reads exactly `n` bytes at `offset`; false when the file ends first.
Result<bool> ReadExactly(int fd, int64_t offset, size_t n, char* out, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out + done, n - done, offset + static_cast<int64_t>(done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Internal(Errno("cannot read", path));
    }
    if (r == 0) return false;
    done += static_cast<size_t>(r);
  }
  return true;
}

Status WriteAll(int fd, int64_t offset, std::string_view bytes, const std::string& path) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t w = ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                         offset + static_cast<int64_t>(done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return Internal(Errno("cannot write", path));
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

// Fills `out` from a complete frame's payload (body || hash).
void FillScanned(std::string_view payload, int64_t offset, int64_t next, bool decode_items,
                 ScannedRecord* out) {
  out->offset = offset;
  out->next_offset = next;
  out->record = store::AuditRecord();
  const std::string_view body = payload.substr(0, payload.size() - kHashBytes);
  const std::string_view hash = payload.substr(payload.size() - kHashBytes);
  out->body_status = ParseRecordBody(body, &out->record);
  out->record.hash = ToHex(hash);
  out->hash_matches = RecordHashOfBody(body) == hash;
  if (decode_items && out->body_status.ok()) {
    out->record.items_malformed =
        !store::DecodeAuditItems(out->record.encoded_items, out->record.agreement_id,
                                 &out->record.items);
  }
}

// Appends the frame of `r` (seq and prev_hash set; `prev_raw` is prev_hash as 32 raw bytes) to
// `frames`, built in place: marker, length (patched below), body, hash, length. Returns the
// record's hash (32 raw bytes).
std::string AppendFrame(const store::AuditRecord& r, std::string_view prev_raw,
                        std::string* frames) {
  const size_t start = frames->size();
  frames->append(kMarker, kMarkerSize);
  PutU32(0, frames);
  AppendRecordBody(r, prev_raw, frames);
  const size_t body_end = frames->size();
  std::string hash = RecordHashOfBody(
      std::string_view(*frames).substr(start + kFrameHead, body_end - start - kFrameHead));
  *frames += hash;
  const auto n = static_cast<uint32_t>(frames->size() - start - kFrameHead);
  PutU32(n, frames);
  for (int i = 0; i < 4; ++i)
    (*frames)[start + kMarkerSize + i] = (*frames)[frames->size() - 4 + i];
  return hash;
}

// The frame starting at `at` in `bytes` (an old ring's): its payload and whole length, when its
// marker, both lengths and its end all lie inside `bytes` and agree.
bool FrameIn(std::string_view bytes, size_t at, std::string_view* payload, size_t* whole) {
  if (at > bytes.size() || bytes.size() - at < kFrameHead ||
      std::memcmp(bytes.data() + at, kMarker, kMarkerSize) != 0) {
    return false;
  }
  const uint32_t n = GetU32(bytes.data() + at + kMarkerSize);
  if (n < kMinPayload || n > kMaxPayload) return false;
  const size_t w = kFrameHead + n + kFrameTail;
  if (bytes.size() - at < w || GetU32(bytes.data() + at + kFrameHead + n) != n) return false;
  *payload = bytes.substr(at + kFrameHead, n);
  *whole = w;
  return true;
}

// The seq named by the frame that ends exactly at the end of `bytes` and starts at or after
// `from`, read from its fixed place in the body (u8 version || u64 seq) without parsing the
// rest, which may be what is damaged; 0 when no frame can be found there.
int64_t LastClaimedSeq(std::string_view bytes, size_t from) {
  constexpr size_t kSeqEnd = 1 + 8;
  if (from > bytes.size() || bytes.size() - from < kFrameHead + kFrameTail + kSeqEnd) return 0;
  const uint32_t n = GetU32(bytes.data() + bytes.size() - kFrameTail);
  if (n < kMinPayload || n > kMaxPayload) return 0;
  const size_t w = kFrameHead + n + kFrameTail;
  if (w > bytes.size() - from) return 0;
  const char* frame = bytes.data() + bytes.size() - w;
  if (std::memcmp(frame, kMarker, kMarkerSize) != 0 || GetU32(frame + kMarkerSize) != n) return 0;
  const char* body = frame + kFrameHead;
  if (body[0] != static_cast<char>(kRecordBodyVersion) &&
      body[0] != static_cast<char>(kNoteBodyVersion)) {
    return 0;
  }
  uint64_t seq = 0;
  for (size_t i = 1; i < kSeqEnd; ++i) seq = seq << 8 | static_cast<uint8_t>(body[i]);
  return seq > static_cast<uint64_t>(INT64_MAX) ? 0 : static_cast<int64_t>(seq);
}

Status SyncFolder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Internal(Errno("cannot open the folder", folder));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Internal(Errno("cannot sync the folder", folder));
  return Status::Ok();
}

// The bytes of the file at `path`; nullopt when there is none.
Result<std::optional<std::string>> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return Internal(Errno("cannot open", path));
  }
  std::string out;
  char buf[1 << 16];
  while (true) {
    const ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      Status st = Internal(Errno("cannot read", path));
      ::close(fd);
      return st;
    }
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

// Keeps `content` as a new evidence file in `folder`, named `base` (or `base`.2, .3, ... when
// another incident has that name), unless a file of the same incident (beginning with
// `identity`) is there already. Each file is created whole: written under a temporary name,
// synced, then link()ed into place (atomic, and never over an existing file). Returns the name
// and the SHA-256 (hex) of the file's bytes.
Result<std::pair<std::string, std::string>> WriteEvidence(const std::string& folder,
                                                          const std::string& base,
                                                          std::string_view identity,
                                                          std::string_view content) {
  if (::mkdir(folder.c_str(), 0700) == 0) {
    const size_t slash = folder.rfind('/');
    TABADUL_RETURN_IF_ERROR(SyncFolder(slash == std::string::npos ? "." : folder.substr(0, slash)));
  } else if (errno != EEXIST) {
    return Internal(Errno("cannot create the evidence folder", folder));
  }
  for (int k = 1; k <= 1000; ++k) {
    const std::string name = k == 1 ? base : base + "." + std::to_string(k);
    const std::string path = folder + "/" + name;
    TABADUL_ASSIGN_OR_RETURN(auto existing, ReadWholeFile(path));
    if (existing) {
      if (existing->starts_with(identity)) return std::pair(name, ToHex(Sha256(*existing)));
      continue;
    }
    const std::string tmp = folder + "/." + name + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Internal(Errno("cannot create the evidence file", tmp));
    Status written = WriteAll(fd, 0, content, tmp);
    if (written.ok() && ::fsync(fd) != 0) written = Internal(Errno("cannot sync", tmp));
    ::close(fd);
    const int linked = written.ok() ? ::link(tmp.c_str(), path.c_str()) : -1;
    const int link_errno = errno;
    ::unlink(tmp.c_str());
    TABADUL_RETURN_IF_ERROR(written);
    if (linked != 0) {
      if (link_errno == EEXIST) continue;  // taken meanwhile: looked at again below
      errno = link_errno;
      return Internal(Errno("cannot create the evidence file", path));
    }
    TABADUL_RETURN_IF_ERROR(SyncFolder(folder));
    return std::pair(name, ToHex(Sha256(content)));
  }
  return Internal("no free name for the evidence file " + base + " in " + folder);
}

}  // namespace

// The lock file: this header, then the ring (kRingBytes) at kRingOffset. The header's fields
// other than the atomics are written only under `mu` (and once, under an flock, at creation).
struct RecordFile::Shared {
  char magic[16];            // kLockMagic once initialized
  pthread_mutex_t mu;        // appends: process-shared, robust
  pthread_mutex_t flush_mu;  // copies from the ring into the file: process-shared, robust
  // The chain's end: the commit point of an append (stored last). -1: not known yet (learn it
  // from the file; the ring is then empty).
  std::atomic<int64_t> end;
  // The file holds the chain up to here; the ring holds [flushed, end). -1 with `end`.
  std::atomic<int64_t> flushed;
  int64_t tip_end;  // tip_seq and tip_hash are those of the frame ending here (used when == end)
  int64_t tip_seq;
  char tip_hash[kHashBytes];
  // The old ring's [flushed, end) while the process that re-initialized the lock file recovers
  // it (Replay); 0 and 0 otherwise. An opener that dies or fails recovering leaves them for the
  // next one, and nobody appends (over the ring's old bytes) while they are set. Lock files of
  // builds without these fields hold zeros here.
  int64_t salvage_from;
  int64_t salvage_end;
};

// What an old ring held beyond its file, read by the process that re-initializes the lock file.
struct RecordFile::Salvage {
  int64_t from = 0;   // the chain offset of bytes[0] (the old `flushed`)
  std::string bytes;  // the old ring's [flushed, end)
};

namespace {
static_assert(std::atomic<int64_t>::is_always_lock_free, "the shared end must be address-free");
constexpr size_t kRingOffset = static_cast<size_t>(kLockFileRingOffset);
constexpr size_t kLockFileBytes = kRingOffset + static_cast<size_t>(kRingBytes);
constexpr char kLockMagic[16] = {'t', 'a', 'b', 'a', 'd', 'u', 'l', ' ',
                                 'a', 'l', 'o', 'c', 'k', ' ', '2', '\n'};
// An appender copies the ring into the file once it holds this much (one pwrite per ~85 pages
// of 100 instead of one per response).
constexpr int64_t kFlushAt = kRingBytes / 4;
// Larger appends go straight to the file (after the ring).
constexpr int64_t kDirectAt = kRingBytes / 2;

// Locks a shared robust mutex. A holder that died with it is reported through `owner_died`
// (the mutex is made consistent and held).
class RobustLock {
 public:
  explicit RobustLock(pthread_mutex_t* mu) : mu_(mu) {
    int rc = pthread_mutex_lock(mu_);
    if (rc == EOWNERDEAD) {
      owner_died_ = true;
      rc = pthread_mutex_consistent(mu_);
    }
    ok_ = rc == 0;
  }
  ~RobustLock() {
    if (ok_) pthread_mutex_unlock(mu_);
  }
  RobustLock(const RobustLock&) = delete;
  RobustLock& operator=(const RobustLock&) = delete;
  bool ok() const { return ok_; }
  bool owner_died() const { return owner_died_; }

 private:
  pthread_mutex_t* mu_;
  bool ok_ = false;
  bool owner_died_ = false;
};

void InitSharedMutex(pthread_mutex_t* mu) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(mu, &attr);
  pthread_mutexattr_destroy(&attr);
}

}  // namespace

// Holds the shared append mutex. An appender that died holding it left `end` as it was (its
// bytes lie beyond the end); nothing needs repair.
class RecordFile::SharedLock {
 public:
  explicit SharedLock(Shared* shared) : lock_(&shared->mu) {}
  bool ok() const { return lock_.ok(); }

 private:
  RobustLock lock_;
};

Result<std::unique_ptr<RecordFile>> RecordFile::Open(const std::string& path,
                                                     bool fsync_each_append, int64_t now_us) {
  static_assert(sizeof(Shared) <= kRingOffset, "the lock file's header overlaps its ring");
  // The lock file first. Every process holds a shared flock on it while it has the log open;
  // one that gets an exclusive flock is alone, and (re)initializes the mutexes and forgets the
  // end: a mutex left locked by a process that died before a reboot, or an end that a power
  // loss or an edit of the file made untrue, cannot survive into a new set of writers. What
  // the old ring still held is recovered first (Replay), still under the exclusive flock, so
  // that nobody appends into the ring before its old bytes are safe.
  const std::string lock_path = path + ".lock";
  const int lfd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0) return Internal(Errno("cannot open the audit log's lock file", lock_path));
  const int wfd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (wfd < 0) {
    Status st = Internal(Errno("cannot open the audit log", path));
    ::close(lfd);
    return st;
  }
  const int rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (rfd < 0) {
    Status st = Internal(Errno("cannot open the audit log", path));
    ::close(wfd);
    ::close(lfd);
    return st;
  }
  char* mapping = nullptr;
  auto fail = [&](const std::string& what) {
    Status st = Internal(Errno(what, lock_path));
    if (mapping) ::munmap(mapping, kLockFileBytes);
    ::close(rfd);
    ::close(wfd);
    ::close(lfd);
    return st;
  };
  auto map = [&]() -> bool {
    void* m = ::mmap(nullptr, kLockFileBytes, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
    if (m == MAP_FAILED) return false;
    mapping = static_cast<char*>(m);
    return true;
  };
  bool alone = false;
  Salvage salvage;
  Shared* shared = nullptr;
  for (int attempt = 0;; ++attempt) {
    if (::flock(lfd, LOCK_EX | LOCK_NB) == 0) {
      alone = true;
      struct stat lst {};
      if (::fstat(lfd, &lst) != 0) return fail("cannot stat the audit log's lock file");
      if (lst.st_size < static_cast<off_t>(kLockFileBytes) &&
          ::ftruncate(lfd, static_cast<off_t>(kLockFileBytes)) != 0) {
        return fail("cannot size the audit log's lock file");
      }
      if (!map()) return fail("cannot map the audit log's lock file");
      shared = reinterpret_cast<Shared*>(mapping);
      if (lst.st_size >= static_cast<off_t>(kLockFileBytes) &&
          std::memcmp(shared->magic, kLockMagic, sizeof kLockMagic) == 0) {
        salvage = TakeSalvage(*shared, mapping + kRingOffset);
      }
      std::memset(shared->magic, 0, sizeof shared->magic);
      InitSharedMutex(&shared->mu);
      InitSharedMutex(&shared->flush_mu);
      shared->end.store(-1);
      shared->flushed.store(-1);
      shared->tip_end = -1;
      shared->tip_seq = 0;
      std::memset(shared->tip_hash, 0, sizeof shared->tip_hash);
      // Kept until the old ring is recovered: an opener that dies meanwhile leaves it to the next.
      shared->salvage_from = salvage.bytes.empty() ? 0 : salvage.from;
      shared->salvage_end =
          salvage.bytes.empty() ? 0 : salvage.from + static_cast<int64_t>(salvage.bytes.size());
      std::memcpy(shared->magic, kLockMagic, sizeof kLockMagic);
      break;
    }
    if (errno != EWOULDBLOCK) return fail("cannot lock the audit log's lock file");
    // Others have it open: wait for whoever is initializing, then use what they set up.
    if (::flock(lfd, LOCK_SH) != 0) return fail("cannot lock the audit log's lock file");
    struct stat lst {};
    if (::fstat(lfd, &lst) != 0) return fail("cannot stat the audit log's lock file");
    if (lst.st_size >= static_cast<off_t>(kLockFileBytes)) {
      if (!map()) return fail("cannot map the audit log's lock file");
      shared = reinterpret_cast<Shared*>(mapping);
      // A range left to recover means the initializer failed or died recovering the old ring:
      // appending now would skip its records. Become the one that recovers it instead.
      if (std::memcmp(shared->magic, kLockMagic, sizeof kLockMagic) == 0 &&
          shared->salvage_end == 0) {
        break;
      }
      ::munmap(mapping, kLockFileBytes);
      mapping = nullptr;
      shared = nullptr;
    }
    // The initializer died or failed half-way: start over (it no longer holds its lock).
    ::flock(lfd, LOCK_UN);
    if (attempt == 10) {
      ::close(rfd);
      ::close(wfd);
      ::close(lfd);
      return FailedPrecondition(lock_path +
                                " is not an audit lock file, or holds records that "
                                "could not be recovered, and cannot be reset");
    }
  }
  // From here the object owns the descriptors and the mapping.
  std::unique_ptr<RecordFile> file(
      new RecordFile(path, wfd, rfd, lfd, shared, mapping + kRingOffset, fsync_each_append));
  if (alone) {
    // Nobody else has the lock file open until the flock below is shared: no mutex is needed.
    TABADUL_ASSIGN_OR_RETURN(const bool created, file->CheckHeader());
    if (!created && !salvage.bytes.empty()) {
      TABADUL_RETURN_IF_ERROR(file->Replay(salvage, now_us));
    }
    shared->salvage_from = 0;
    shared->salvage_end = 0;
    if (::flock(lfd, LOCK_SH) != 0) {  // from exclusive to shared, for as long as it is open
      return Internal(Errno("cannot lock the audit log's lock file", lock_path));
    }
    return file;
  }
  SharedLock lock(shared);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path);
  TABADUL_RETURN_IF_ERROR(file->CheckHeader().status());
  return file;
}

RecordFile::Salvage RecordFile::TakeSalvage(const Shared& shared, const char* ring) {
  // An earlier opener that died recovering left the range it was recovering; else the old ring
  // holds [flushed, end).
  int64_t from = shared.salvage_from;
  int64_t to = shared.salvage_end;
  if (!(from >= kRecordFileHeaderSize && to > from)) {
    from = shared.flushed.load();
    to = shared.end.load();
  }
  Salvage salvage;
  if (from >= kRecordFileHeaderSize && to > from && to - from <= kRingBytes) {
    salvage.from = from;
    salvage.bytes.resize(static_cast<size_t>(to - from));
    for (int64_t x = from; x < to; ++x) {
      salvage.bytes[static_cast<size_t>(x - from)] = ring[x % kRingBytes];
    }
  }
  return salvage;
}

Result<bool> RecordFile::CheckHeader() {
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  if (st.st_size == 0) {
    // A new file (perhaps one that replaced another; an old ring's bytes belong to that one).
    TABADUL_RETURN_IF_ERROR(
        WriteAll(write_fd_, 0, std::string_view(kRecordFileHeader, kRecordFileHeaderSize), path_));
    if (::fdatasync(write_fd_) != 0) return Internal(Errno("cannot sync the audit log", path_));
    return true;
  }
  char header[kRecordFileHeaderSize];
  TABADUL_ASSIGN_OR_RETURN(bool whole, ReadExactly(read_fd_, 0, sizeof header, header, path_));
  if (!whole || std::memcmp(header, kRecordFileHeader, sizeof header) != 0) {
    return FailedPrecondition(path_ +
                              " is not a tabadul audit log of this format (its first "
                              "bytes are not \"tabadul audit 2\")");
  }
  return false;
}

Status RecordFile::Replay(const Salvage& salvage, int64_t now_us) {
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  const int64_t size = st.st_size;
  const std::string_view ring = salvage.bytes;
  const int64_t from = salvage.from;
  const int64_t end = from + static_cast<int64_t>(ring.size());
  // The old ring continues the file at `from` only if the file has a whole, correctly hashed
  // record ending there (or nothing yet). A file shorter than that is not the ring's (a lock
  // file carried over from another log; or a cut file, which signed heads reveal).
  if (size < from) return Status::Ok();
  store::AuditTip prev{0, kGenesisHash};
  if (from > kRecordFileHeaderSize) {
    TABADUL_ASSIGN_OR_RETURN(auto last, ReadEndingAt(from));
    if (!last || !last->body_status.ok() || !last->hash_matches) return Status::Ok();
    prev = {last->record.seq, last->record.hash};
  }
  auto chains = [&](const ScannedRecord& r) {
    return r.body_status.ok() && r.hash_matches && r.record.seq == prev.seq + 1 &&
           r.record.prev_hash == prev.hash;
  };
  // Frame by frame through [from, end), everything the ring's published end says was committed:
  // the file's frame where it has a whole one (a flusher that died after its pwrite, before it
  // moved `flushed`), else the ring's, as long as each chains onto the one before.
  bool proven = false;  // a ring frame showed that the ring is this file's
  std::vector<std::pair<int64_t, int64_t>> runs;  // chain ranges to copy from the ring
  int64_t p = from;
  bool lost = false;
  while (p < end) {
    std::string_view payload;
    size_t whole = 0;
    const bool ring_whole = FrameIn(ring, static_cast<size_t>(p - from), &payload, &whole);
    ScannedRecord in_ring;
    if (ring_whole) FillScanned(payload, p, p + static_cast<int64_t>(whole), false, &in_ring);
    std::optional<ScannedRecord> in_file;
    if (p < size) {
      TABADUL_ASSIGN_OR_RETURN(in_file, ReadAt(p, /*decode_items=*/false));
    }
    if (in_file) {
      // Damage in the file itself is `verify`'s to report; the ring is not placed after it.
      if (!chains(*in_file)) return Status::Ok();
      // An earlier opener recovered this very ring and died before it reset the lock file.
      if (IsRecordOfLoss(in_file->record)) return Status::Ok();
      if (ring_whole && in_ring.hash_matches) {
        // A sound frame that differs from the file's: the ring is another log's (or older).
        if (in_ring.record.hash != in_file->record.hash) return Status::Ok();
        proven = true;
      }
      prev = {in_file->record.seq, in_file->record.hash};
      p = in_file->next_offset;
      continue;
    }
    // Bytes beyond the committed end exist only when the lock file is older than the file
    // (after an OS crash): the ring describes another state of the file and adds nothing.
    if (size > end) return Status::Ok();
    if (ring_whole && chains(in_ring)) {
      const int64_t next = p + static_cast<int64_t>(whole);
      if (!runs.empty() && runs.back().second == p) {
        runs.back().second = next;
      } else {
        runs.emplace_back(p, next);
      }
      proven = true;
      prev = {in_ring.record.seq, in_ring.record.hash};
      p = next;
      continue;
    }
    // A sound frame of another chain where nothing of this one was seen: another log's ring.
    if (!proven && ring_whole && in_ring.body_status.ok() && in_ring.hash_matches) {
      return Status::Ok();
    }
    lost = true;  // committed bytes that are not a whole, sound, chained frame: damage
    break;
  }
  for (const auto& [a, b] : runs) {
    TABADUL_RETURN_IF_ERROR(
        WriteAll(write_fd_, a,
                 ring.substr(static_cast<size_t>(a - from), static_cast<size_t>(b - a)), path_));
  }
  if (lost) return KeepEvidenceOfLoss(salvage, size, p, prev, now_us);
  if (!runs.empty() && ::fdatasync(write_fd_) != 0) {
    return Internal(Errno("cannot sync the audit log", path_));
  }
  return Status::Ok();
}

Status RecordFile::KeepEvidenceOfLoss(const Salvage& salvage, int64_t size, int64_t lost_from,
                                      const store::AuditTip& prev, int64_t now_us) {
  const std::string_view ring = salvage.bytes;
  RingDamage d;
  d.after_seq = prev.seq;
  d.after_hash = prev.hash;
  d.lost_from = lost_from;
  d.lost_to = salvage.from + static_cast<int64_t>(ring.size());
  d.last_claimed_seq = LastClaimedSeq(ring, static_cast<size_t>(lost_from - salvage.from));
  // A seq the lost bytes could not hold is itself damaged: not a claim.
  const auto smallest = static_cast<int64_t>(kFrameHead + kMinPayload + kFrameTail);
  if (d.last_claimed_seq <= prev.seq ||
      d.last_claimed_seq > prev.seq + (d.lost_to - lost_from) / smallest) {
    d.last_claimed_seq = 0;
  }
  // What the file holds where the lost records belong (a copy a dying flusher tore), if anything:
  // it may be the only undamaged copy of a part of them.
  std::string tail(static_cast<size_t>(std::max<int64_t>(0, size - lost_from)), '\0');
  if (!tail.empty()) {
    TABADUL_ASSIGN_OR_RETURN(bool got,
                             ReadExactly(read_fd_, lost_from, tail.size(), tail.data(), path_));
    if (!got) return Internal(path_ + " became shorter while it was recovered");
  }
  // The incident's identity comes first, so an opener that died after writing the evidence and
  // the next one, finding the same old ring, keep one file.
  const std::string identity =
      std::string(kEvidenceMagic) + "\nring-flushed " + std::to_string(salvage.from) +
      "\nring-end " + std::to_string(d.lost_to) + "\nring-sha256 " + ToHex(Sha256(ring)) + "\n";
  std::string content = identity + FormatRingDamageNote(d) + "\nfile-size " + std::to_string(size) +
                        "\nring-bytes " + std::to_string(ring.size()) + "\nfile-bytes " +
                        std::to_string(tail.size()) + "\n\n";
  content.append(ring);
  content += tail;
  TABADUL_ASSIGN_OR_RETURN(
      auto kept,
      WriteEvidence(DamageFolder(path_), "gap-" + std::to_string(prev.seq + 1), identity, content));
  d.id = kept.first;
  d.evidence_sha256 = kept.second;
  // The record of the loss takes the lost records' place: whoever walks the chain meets the
  // loss where it happened, and every later hash and signed head covers it.
  store::AuditRecord rec;
  rec.seq = prev.seq + 1;
  rec.time_us = now_us;
  rec.user = kLogItself;
  rec.path = kRingDamagePath;
  rec.collection_id = d.id;
  rec.encoded_items.assign(1, static_cast<char>(store::kAuditItemsFormat));
  rec.item_count = 0;
  rec.note = FormatRingDamageNote(d);
  rec.prev_hash = prev.hash;
  auto prev_raw = FromHex(prev.hash);
  if (!prev_raw || prev_raw->size() != kHashBytes) {
    return Internal("the record before the loss in " + path_ + " has a malformed hash");
  }
  std::string frame;
  AppendFrame(rec, *prev_raw, &frame);
  // What the file held from here on is a torn copy of the lost bytes, now in the evidence.
  if (size > lost_from && ::ftruncate(write_fd_, lost_from) != 0) {
    return Internal(Errno("cannot cut the damaged copy from", path_));
  }
  TABADUL_RETURN_IF_ERROR(WriteAll(write_fd_, lost_from, frame, path_));
  if (::fdatasync(write_fd_) != 0) return Internal(Errno("cannot sync the audit log", path_));
  damage_found_ = std::move(d);
  return Status::Ok();
}

std::string RecordFile::DamageFolder(const std::string& record_path) {
  return record_path + ".damage";
}

bool IsRecordOfLoss(const store::AuditRecord& record) {
  return record.item_count == 0 && record.path == kRingDamagePath;
}

std::string FormatRingDamageNote(const RingDamage& d) {
  return "after-seq " + std::to_string(d.after_seq) + "\nafter-hash " + d.after_hash +
         "\nlost-from " + std::to_string(d.lost_from) + "\nlost-to " + std::to_string(d.lost_to) +
         "\nlast-claimed-seq " + std::to_string(d.last_claimed_seq) +
         (d.evidence_sha256.empty() ? "" : "\nevidence-sha256 " + d.evidence_sha256);
}

Result<RingDamage> ParseRingDamageNote(std::string_view text) {
  RingDamage d;
  int found = 0;
  auto number = [](std::string_view v, int64_t* out) {
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
    return ec == std::errc() && end == v.data() + v.size();
  };
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (line.empty()) break;  // an evidence file's header ends here
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    bool ok = true;
    if (key == "after-seq") {
      ok = number(value, &d.after_seq);
      found |= 1;
    } else if (key == "lost-from") {
      ok = number(value, &d.lost_from);
      found |= 2;
    } else if (key == "lost-to") {
      ok = number(value, &d.lost_to);
      found |= 4;
    } else if (key == "last-claimed-seq") {
      ok = number(value, &d.last_claimed_seq);
    } else if (key == "after-hash") {
      d.after_hash = value;
    } else if (key == "evidence-sha256") {
      d.evidence_sha256 = value;
    }
    if (!ok) return InvalidArgument("'" + std::string(line) + "' is not a number");
  }
  if (found != 7) return InvalidArgument("not a description of lost records");
  return d;
}

RecordFile::~RecordFile() {
  (void)FlushRing();  // a failure leaves the bytes in the ring, for the next opener
  ::close(write_fd_);
  ::close(read_fd_);
  ::munmap(shared_, kLockFileBytes);
  ::close(lock_fd_);
}

bool RecordFile::HasUnflushed() const {
  const int64_t flushed = shared_->flushed.load(std::memory_order_acquire);
  return flushed >= 0 && shared_->end.load(std::memory_order_acquire) > flushed;
}

Status RecordFile::Flush() { return FlushRing(); }

Status RecordFile::FlushRing() {
  RobustLock lock(&shared_->flush_mu);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  return FlushRingLocked(lock.owner_died());
}

Status RecordFile::FlushRingLocked(bool after_death) {
  const int64_t from = shared_->flushed.load(std::memory_order_acquire);
  if (from < kRecordFileHeaderSize) return Status::Ok();  // nothing learned yet: ring empty
  if (after_death) {
    // A flusher or direct writer died here: whatever it left beyond `flushed` is not (yet) the
    // chain's, and must not outlive it (shorter frames written over it would leave a tail of
    // garbage).
    if (::ftruncate(write_fd_, from) != 0) {
      return Internal(Errno("cannot cut an interrupted write from", path_));
    }
  }
  const int64_t to = shared_->end.load(std::memory_order_acquire);
  if (to <= from) return Status::Ok();
  const int64_t start = from % kRingBytes;
  const int64_t first = std::min(to - from, kRingBytes - start);
  TABADUL_RETURN_IF_ERROR(WriteAll(write_fd_, from,
                                   std::string_view(ring_ + start, static_cast<size_t>(first)),
                                   path_));
  if (first < to - from) {
    TABADUL_RETURN_IF_ERROR(WriteAll(write_fd_, from + first,
                                     std::string_view(ring_, static_cast<size_t>(to - from - first)),
                                     path_));
  }
  shared_->flushed.store(to, std::memory_order_release);
  return Status::Ok();
}

Result<int64_t> RecordFile::StableSize() {
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  // With the append mutex held nothing new is committed: once the ring is in the file, the
  // file's size is the end (plus whatever a crash or an editor left there, for `verify`).
  TABADUL_RETURN_IF_ERROR(FlushRing());
  struct stat st {};
  if (::fstat(read_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  return static_cast<int64_t>(st.st_size);
}

void RecordFile::Publish(std::string_view tip_raw) {
  shared_->tip_seq = tip_.seq;
  std::memset(shared_->tip_hash, 0, kHashBytes);
  bool told = true;
  if (tip_.seq > 0 && tip_raw.size() == kHashBytes) {
    std::memcpy(shared_->tip_hash, tip_raw.data(), kHashBytes);
  } else if (tip_.seq > 0) {
    auto raw = FromHex(tip_.hash);
    told = raw && raw->size() == kHashBytes;
    if (told) std::memcpy(shared_->tip_hash, raw->data(), kHashBytes);
  }
  tip_raw_ = tip_.seq == 0 ? std::string(kHashBytes, '\0')
                           : std::string(shared_->tip_hash, kHashBytes);
  // A tip that cannot be told in 32 bytes is re-read from the frame by the next appender.
  shared_->tip_end = told ? end_ : -1;
  shared_->end.store(end_, std::memory_order_release);  // the commit point
}

Status RecordFile::Catch() {
  const int64_t end = shared_->end.load(std::memory_order_acquire);
  if (end >= kRecordFileHeaderSize) {
    if (end == end_) return Status::Ok();
    if (shared_->tip_end == end) {
      end_ = end;
      tip_ = {shared_->tip_seq,
              shared_->tip_seq == 0 ? std::string() : ToHex({shared_->tip_hash, kHashBytes})};
      tip_raw_ = shared_->tip_seq == 0 ? std::string(kHashBytes, '\0')
                                       : std::string(shared_->tip_hash, kHashBytes);
      return Status::Ok();
    }
    // The tip was not published with this end: read it from the frame that ends there.
    TABADUL_RETURN_IF_ERROR(FlushRing());
    TABADUL_ASSIGN_OR_RETURN(auto last, ReadEndingAt(end));
    if (end > kRecordFileHeaderSize && (!last || !last->body_status.ok())) {
      end_ = -1;
      return FailedPrecondition("the last record of " + path_ +
                                " cannot be read: run `tabadul audit verify`");
    }
    end_ = end;
    tip_ = last ? store::AuditTip{last->record.seq, last->record.hash} : store::AuditTip{};
    Publish();
    return Status::Ok();
  }
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  Status learned = LearnTail(st.st_size);
  if (!learned.ok()) end_ = -1;
  return learned;
}

Status RecordFile::LearnTail(int64_t size) {
  RobustLock flush(&shared_->flush_mu);  // `flushed` changes too
  if (!flush.ok()) return Internal("cannot lock the audit log " + path_);
  return LearnTailLocked(size);
}

Status RecordFile::LearnTailLocked(int64_t size) {
  if (size < kRecordFileHeaderSize) {
    return FailedPrecondition(path_ + " is shorter than its header: the audit log was truncated");
  }
  if (size == kRecordFileHeaderSize) {
    end_ = size;
    tip_ = {};
    shared_->flushed.store(end_, std::memory_order_release);
    Publish();
    return Status::Ok();
  }
  // Usually the last frame is whole: its trailing length leads to its start.
  if (size >= kRecordFileHeaderSize + static_cast<int64_t>(kFrameHead + kMinPayload + kFrameTail)) {
    char tail[4];
    TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, size - 4, 4, tail, path_));
    const uint32_t n = got ? GetU32(tail) : 0;
    const int64_t start = size - static_cast<int64_t>(kFrameHead + n + kFrameTail);
    if (got && n >= kMinPayload && n <= kMaxPayload && start >= kRecordFileHeaderSize) {
      TABADUL_ASSIGN_OR_RETURN(auto last, ReadAt(start, /*decode_items=*/false));
      if (last && last->next_offset == size) {
        if (!last->body_status.ok()) {
          return FailedPrecondition("the last record of " + path_ + " does not parse (" +
                                    last->body_status.message() +
                                    "): run `tabadul audit verify`");
        }
        end_ = size;
        tip_ = {last->record.seq, last->record.hash};
        shared_->flushed.store(end_, std::memory_order_release);
        Publish();
        return Status::Ok();
      }
    }
  }
  // Otherwise walk the frames from the last boundary this object knows: the end is a frame torn
  // by a crash (cut it: no appender was told it was written), or damage (refuse).
  const int64_t from = end_ >= kRecordFileHeaderSize && end_ <= size ? end_ : kRecordFileHeaderSize;
  store::AuditTip tip = end_ == from ? tip_ : store::AuditTip{};
  Scanner scan(*this, from, size);
  ScannedRecord rec;
  int64_t bad = 0;
  while (true) {
    TABADUL_ASSIGN_OR_RETURN(auto step, scan.Next(&rec, &bad));
    if (step == Scanner::Step::kRecord) {
      if (!rec.body_status.ok()) {
        return FailedPrecondition("the record at offset " + std::to_string(rec.offset) + " of " +
                                  path_ + " does not parse: run `tabadul audit verify`");
      }
      tip = {rec.record.seq, rec.record.hash};
      continue;
    }
    if (step == Scanner::Step::kMalformed) {
      if (from != kRecordFileHeaderSize) {
        // The boundary this object remembered is not one of this file (it was replaced while
        // open): walk it from its first frame instead.
        end_ = -1;
        tip_ = {};
        return LearnTailLocked(size);
      }
      return FailedPrecondition(path_ + " is damaged at offset " + std::to_string(bad) +
                                " (not a record frame): run `tabadul audit verify`");
    }
    if (step == Scanner::Step::kTorn) {
      if (::ftruncate(write_fd_, scan.offset()) != 0) {
        return Internal(Errno("cannot cut the torn last record of", path_));
      }
    }
    end_ = scan.offset();
    tip_ = tip;
    shared_->flushed.store(end_, std::memory_order_release);
    Publish();
    return Status::Ok();
  }
}

Status RecordFile::Append(std::span<store::AuditRecord> records) {
  if (records.empty()) return Status::Ok();
  std::lock_guard mu(append_mu_);
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  TABADUL_RETURN_IF_ERROR(Catch());
  if (tip_raw_.size() != kHashBytes) return FailedPrecondition("the audit log's tip hash is malformed");
  std::string& frames = frames_;
  frames.clear();
  store::AuditTip tip = tip_;
  // The previous hash as raw bytes, carried from record to record without hex round trips.
  std::string prev_raw = tip_raw_;
  for (auto& r : records) {
    r.seq = tip.seq + 1;
    r.prev_hash = tip.seq == 0 ? std::string(kGenesisHash) : tip.hash;
    prev_raw = AppendFrame(r, prev_raw, &frames);
    r.hash = ToHex(prev_raw);
    tip = {r.seq, r.hash};
  }
  const auto len = static_cast<int64_t>(frames.size());
  if (fsync_ || len > kDirectAt) {
    // Straight to the file, after what the ring holds.
    RobustLock flush(&shared_->flush_mu);
    if (!flush.ok()) return Internal("cannot lock the audit log " + path_);
    TABADUL_RETURN_IF_ERROR(FlushRingLocked(flush.owner_died()));
    Status written = WriteAll(write_fd_, end_, frames, path_);
    if (written.ok() && fsync_ && ::fdatasync(write_fd_) != 0) {
      written = Internal(Errno("cannot sync the audit log", path_));
    }
    if (!written.ok()) {
      // Take back whatever part was written, so that nothing follows the chain's end.
      (void)::ftruncate(write_fd_, end_);
      return written;
    }
    end_ += len;
    tip_ = tip;
    shared_->flushed.store(end_, std::memory_order_release);
    Publish(prev_raw);
    return Status::Ok();
  }
  int64_t flushed = shared_->flushed.load(std::memory_order_acquire);
  if (end_ + len - flushed > kRingBytes) {
    // No room: the ring's bytes go to the file first (the error, if any, is this append's).
    TABADUL_RETURN_IF_ERROR(FlushRing());
    flushed = shared_->flushed.load(std::memory_order_acquire);
  }
  const int64_t start = end_ % kRingBytes;
  const int64_t first = std::min(len, kRingBytes - start);
  std::memcpy(ring_ + start, frames.data(), static_cast<size_t>(first));
  if (first < len) std::memcpy(ring_, frames.data() + first, static_cast<size_t>(len - first));
  end_ += len;
  tip_ = tip;
  Publish(prev_raw);  // committed: the record survives this process from here on
  if (end_ - flushed >= kFlushAt) (void)FlushRing();  // a failure is retried by the next flush
  return Status::Ok();
}

Result<store::AuditTip> RecordFile::Tip() {
  std::lock_guard mu(append_mu_);
  SharedLock lock(shared_);
  if (!lock.ok()) return Internal("cannot lock the audit log " + path_);
  TABADUL_RETURN_IF_ERROR(Catch());
  TABADUL_RETURN_IF_ERROR(FlushRing());
  // From the file itself (a head is signed over it), cutting a torn frame if there is one.
  struct stat st {};
  if (::fstat(write_fd_, &st) != 0) return Internal(Errno("cannot stat the audit log", path_));
  if (st.st_size != end_) {
    Status learned = LearnTail(st.st_size);
    if (!learned.ok()) {
      end_ = -1;
      return learned;
    }
  }
  return tip_;
}

Result<std::optional<ScannedRecord>> RecordFile::ReadAt(int64_t offset, bool decode_items) {
  char head[kFrameHead];
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, offset, sizeof head, head, path_));
  if (!got || std::memcmp(head, kMarker, kMarkerSize) != 0) return std::optional<ScannedRecord>();
  const uint32_t n = GetU32(head + kMarkerSize);
  if (n < kMinPayload || n > kMaxPayload) return std::optional<ScannedRecord>();
  std::string rest(n + kFrameTail, '\0');
  TABADUL_ASSIGN_OR_RETURN(got, ReadExactly(read_fd_, offset + static_cast<int64_t>(kFrameHead),
                                            rest.size(), rest.data(), path_));
  if (!got || GetU32(rest.data() + n) != n) return std::optional<ScannedRecord>();
  ScannedRecord out;
  FillScanned(std::string_view(rest).substr(0, n), offset,
              offset + static_cast<int64_t>(kFrameHead + n + kFrameTail), decode_items, &out);
  return std::optional<ScannedRecord>(std::move(out));
}

Result<std::optional<ScannedRecord>> RecordFile::ReadEndingAt(int64_t end) {
  constexpr int64_t kSmallest = kFrameHead + kMinPayload + kFrameTail;
  if (end < kRecordFileHeaderSize + kSmallest) return std::optional<ScannedRecord>();
  char tail[4];
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(read_fd_, end - 4, 4, tail, path_));
  const uint32_t n = got ? GetU32(tail) : 0;
  const int64_t start = end - static_cast<int64_t>(kFrameHead + n + kFrameTail);
  if (!got || n < kMinPayload || n > kMaxPayload || start < kRecordFileHeaderSize) {
    return std::optional<ScannedRecord>();
  }
  TABADUL_ASSIGN_OR_RETURN(auto rec, ReadAt(start, /*decode_items=*/false));
  if (!rec || rec->next_offset != end) return std::optional<ScannedRecord>();
  return rec;
}

// ---- Scanner --------------------------------------------------------------------------------

RecordFile::Scanner::Scanner(const RecordFile& file, int64_t from, int64_t end)
    : file_(file), pos_(from), end_(end), buf_start_(from) {}

Result<bool> RecordFile::Scanner::Ensure(size_t n) {
  if (pos_ + static_cast<int64_t>(n) > end_) return false;
  const int64_t have_from = pos_ - buf_start_;
  if (buf_start_ <= pos_ && have_from + static_cast<int64_t>(n) <= static_cast<int64_t>(buf_.size())) {
    return true;
  }
  // Refill from pos_: at least n bytes, at least a chunk, at most what is left.
  const int64_t want = std::min<int64_t>(end_ - pos_, std::max<int64_t>(n, kScanChunk));
  buf_.resize(static_cast<size_t>(want));
  buf_start_ = pos_;
  TABADUL_ASSIGN_OR_RETURN(bool got, ReadExactly(file_.read_fd_, pos_, buf_.size(), buf_.data(),
                                                 file_.path_));
  if (!got) return Internal(file_.path_ + " became shorter while it was read");
  return true;
}

Result<RecordFile::Scanner::Step> RecordFile::Scanner::Next(ScannedRecord* out,
                                                            int64_t* bad_offset) {
  if (pos_ == end_) return Step::kEnd;
  TABADUL_ASSIGN_OR_RETURN(bool got, Ensure(kFrameHead));
  if (!got) return Step::kTorn;
  const char* head = buf_.data() + (pos_ - buf_start_);
  const uint32_t n = GetU32(head + kMarkerSize);
  if (std::memcmp(head, kMarker, kMarkerSize) != 0 || n < kMinPayload || n > kMaxPayload) {
    *bad_offset = pos_;
    return Step::kMalformed;
  }
  const size_t whole = kFrameHead + n + kFrameTail;
  TABADUL_ASSIGN_OR_RETURN(got, Ensure(whole));
  if (!got) return Step::kTorn;
  const char* frame = buf_.data() + (pos_ - buf_start_);
  if (GetU32(frame + kFrameHead + n) != n) {
    *bad_offset = pos_;
    return Step::kMalformed;
  }
  FillScanned(std::string_view(frame + kFrameHead, n), pos_, pos_ + static_cast<int64_t>(whole),
              /*decode_items=*/false, out);
  pos_ += static_cast<int64_t>(whole);
  return Step::kRecord;
}

}  // namespace tabadul::audit
