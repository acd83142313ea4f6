// What the offline bar says for a sync status. `batch` counts what this sync
// has to send, so the bar can say 同步中 3/12 while entries go out.

function describe(status, batch) {
  if (!status.online) {
    return { tone: 'offline', text: status.pending > 0 ? `离线 · ${status.pending} 条待发送` : '离线' }
  }
  if (status.syncing && batch > 0) {
    const sent = Math.max(0, batch - status.pending)
    return { tone: 'syncing', text: `同步中 ${sent}/${batch}` }
  }
  if (status.deadLetters > 0) return { tone: 'failed', text: `${status.deadLetters} 条发送失败，请到同步中心处理` }
  if (status.pending > 0) return { tone: 'waiting', text: `${status.pending} 条待发送` }
  return { tone: 'done', text: '全部已发送' }
}

/** The size of the current sync: the most that was pending since it started (0 between syncs). */
function nextBatch(status, batch) {
  return status.syncing ? Math.max(batch, status.pending) : 0
}

module.exports = { describe, nextBatch }
