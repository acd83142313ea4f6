// What the user is told after submitting.
function resultText(result) {
  if (result.status === 'sent') return '已提交'
  if (result.status === 'queued') return '已保存，网络恢复后自动上传'
  if (result.status === 'deadLettered') return `提交失败：${result.error.message}（可在同步中心重试）`
  return `服务器拒绝：${result.response.statusCode}`
}

module.exports = { resultText }
