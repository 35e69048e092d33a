package corpus

import "testing"

// TestFurnitureCues: every kind of furniture line still reaches the furniture patterns through the
// cheap check in front of them, and body text does not match.
func TestFurnitureCues(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"您当前所在位置：首页 > 政务公开 > 政策文件", true},
		{"当前位置：首页", true},
		{"来源：铜仁市人力资源和社会保障局", true},
		{"來源：廣元市人民政府", true},
		{"字号：大 中 小", true},
		{"【字体：大 中 小】", true},
		{"发布时间：2022-02-10", true},
		{"發布日期：2022-02-10", true},
		{"浏览次数：1234", true},
		{"阅读量：56", true},
		{"责任编辑：张三", true},
		{"校对：李四", true},
		{"扫一扫在手机打开当前页", true},
		{"请扫描二维码关注", true},
		{"上一篇：关于印发的通知", true},
		{"下一条", true},
		{"黔公网安备 52060202000123号", true},
		{"黔ICP备12345678号", true},
		{"网站标识码：5206000001", true},
		{"版权所有：铜仁市人民政府", true},
		{"Copyright 2022", true},
		{"© 2022 铜仁市", true},
		{"主办单位：铜仁市人民政府办公室", true},
		{"承办单位：铜仁市大数据发展管理局", true},
		{"继续访问", true},
		{"返回顶部", true},
		{"【打印】【关闭】", true},
		{"分享到：", true},
		{"<!-- INFO END -->", true},
		{"第一条 为了规范劳动合同，保护劳动者的合法权益，制定本法。", false},
		{"城镇新增就业人数保持在3万人以上，城镇调查失业率控制在5.5%以内。", false},
	} {
		if got := furnitureLine(tc.line); got != tc.want || isFurniture(tc.line) != tc.want || furniture.MatchString(tc.line) != tc.want {
			t.Errorf("furnitureLine(%q) = %v, isFurniture %v, the patterns %v; want %v", tc.line, got, isFurniture(tc.line), furniture.MatchString(tc.line), tc.want)
		}
	}
}
