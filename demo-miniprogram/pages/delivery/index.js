const { getOffline, api } = require('../../services/offline')
const { resultText } = require('../../services/result-text')

async function takePhoto() {
  const { tempFiles } = await wx.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['camera'] })
  return tempFiles[0].tempFilePath
}

// 签收确认: the signature and parcel photos are uploaded, then the delivery
// record refers to both uploads: one task, replayed step by step.
Component({
  data: { trackingNo: '', signature: '', parcel: '', submitting: false, result: null },
  methods: {
    onTrackingNo(event) {
      this.setData({ trackingNo: event.detail.value.trim() })
    },
    async takeSignature() {
      this.setData({ signature: await takePhoto() })
    },
    async takeParcel() {
      this.setData({ parcel: await takePhoto() })
    },
    async confirm() {
      const { trackingNo, signature, parcel } = this.data
      this.setData({ submitting: true })
      const result = await getOffline().task({
        lane: `delivery:${trackingNo}`,
        metadata: { title: `签收 ${trackingNo}`, kind: 'delivery' },
        steps: [
          { upload: { url: api('/photos'), filePath: signature, name: 'file', formData: { kind: 'signature', trackingNo } } },
          { upload: { url: api('/photos'), filePath: parcel, name: 'file', formData: { kind: 'parcel', trackingNo }, compress: { quality: 80 } } },
          {
            request: {
              url: api('/deliveries'),
              method: 'POST',
              data: { trackingNo, signature: { $ref: 'steps.0.data.url' }, photo: { $ref: 'steps.1.data.url' }, at: Date.now() },
            },
          },
        ],
      })
      this.setData({ submitting: false, trackingNo: '', signature: '', parcel: '', result: { status: result.status, text: resultText(result) } })
    },
  },
})
