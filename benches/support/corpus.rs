//! The shared corpus for benchmarks and the batch generator: realistic agent and customer
//! turns, a short chat message, a long call, a mixed Chinese/English chat, and a synthetic pack
//! of many phrases. Deterministic: the same bytes every run.

#![allow(dead_code)]

use huashu::{Channel, Role, Transcript, Turn};

/// A small deterministic generator (xorshift64*), so that no random crate is needed.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A 60–100 character agent chat message, as sent.
pub(crate) const SHORT_MESSAGE: &str = "您好，王先生，您的订单已经从上海仓库发出，预计明天下午三点前送达，请您保持电话畅通；如果有任何问题，随时联系我们，感谢您的耐心等待。";

pub(crate) const AGENT: &[&str] = &[
    "您好，蚁集客户服务中心，我是1024号客服人员，很高兴为您服务。",
    "好的，请您稍等，我帮您查询一下订单的物流信息。",
    "让您久等了，您的订单已经到达本市分拣中心，预计明天上午送达。",
    "请问您的订单号是多少？",
    "不客气，这是我们应该做的。",
    "这个问题需要核实一下，我们会在24小时内给您明确答复。",
    "对不起，给您添麻烦了，我马上为您登记处理。",
    "您可以在App里点击“我的订单”，再选择“申请售后”。",
    "这款产品支持七天无理由退货，您放心。",
    "请问还有什么可以帮助您？",
    "感谢您的来电，若有问题请再次来电，谢谢，再见！",
    "这个我不知道，你找领导去呀。",
    "不管怎样，我们都会帮您处理好。",
    "如果重启之后还不行的话，您可以申请换货。",
    "王先生，您的退款已经原路退回，预计三个工作日内到账。",
    "您的积分已经到账，可以在积分商城兑换礼品。",
];

pub(crate) const CUSTOMER: &[&str] = &[
    "你好，我想查一下我的订单。",
    "订单号是20240521003。",
    "好的，谢谢你。",
    "我的快递显示签收了但是我没收到。",
    "怎么这么久才接电话？",
    "我姓王。",
    "那退款什么时候到账？",
    "我建议你们在App里加一个物流提醒。",
    "不好意思，刚才说错了。",
    "没有了，再见。",
    "嗯嗯，明白了。",
    "你们这个服务也太慢了吧。",
];

/// A realistic call of `turns` turns, alternating agent and customer, with times.
pub(crate) fn call(rng: &mut Rng, id: &str, turns: usize) -> Transcript {
    let mut out = Vec::with_capacity(turns);
    let mut time = 0.0;
    for i in 0..turns {
        let (role, text) = match i {
            0 => (Role::Agent, AGENT[0]),
            _ if i + 1 == turns => (Role::Agent, AGENT[10]),
            _ if i % 2 == 1 => (Role::Customer, rng.pick(CUSTOMER)),
            _ => (Role::Agent, rng.pick(AGENT)),
        };
        time += 2.0 + rng.below(20) as f64;
        out.push(Turn::at(role, text, time));
    }
    let mut t = Transcript::new(id, out);
    t.channel = Some(Channel::Phone);
    t.agent = Some(format!("{}", 1000 + rng.below(50)));
    t
}

/// The long call: 60 turns.
pub(crate) fn long_call() -> Transcript {
    call(&mut Rng::new(7), "long-call", 60)
}

/// A chat mixing Chinese and English, traditional characters, full-width forms and emoji.
pub(crate) fn mixed_chat() -> Transcript {
    let lines: &[(Role, &str)] = &[
        (Role::Customer, "Hi，請問我的 order #A1024 什麼時候到？"),
        (
            Role::Agent,
            "Hi 您好～我是客服Lina，很高興為您服務😀 請您稍等，我幫您查一下。",
        ),
        (
            Role::Agent,
            "讓您久等了，您的 order 已經發貨啦，tracking number 是 SF1234567890。",
        ),
        (Role::Customer, "ＯＫ，thanks！那如果明天還沒到怎麼辦？"),
        (
            Role::Agent,
            "如果明天還沒到的話，請您再聯繫我們，我們會幫您催件，不知道您方便留個電話嗎？",
        ),
        (Role::Customer, "好的，謝謝你，bye"),
        (
            Role::Agent,
            "不客氣～請問還有什麼可以幫您的嗎？感謝您的諮詢，再見！",
        ),
    ];
    let mut t = Transcript::new(
        "mixed-chat",
        lines
            .iter()
            .enumerate()
            .map(|(i, (role, text))| Turn::at(*role, *text, i as f64 * 8.0))
            .collect(),
    );
    t.channel = Some(Channel::Chat);
    t
}

/// Common characters of service conversations, to build phrases that look like real ones.
const CHARS: &str = "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湾吉减编楚肯测败屋跑梦散温困剑渐封救贵枪缺楼县尚毫移娘朋画班智亦耳恩短掌恐遗固席松秘谢鲁遇康虑幸均销钟诗藏赶剧票损忽巨炮旧端探湖录叶春乡附吸予礼港雨呀板庭妇归睛饭额含顺输摇招婚脱补谓督毒油疗旅泽材灭逐莫笔亡鲜词圣择寻厂睡博勒烟授诺伦岸奥唐卖俄炸载洛健堂旁宫喝借君禁阴园谋宋避抓荣姑孙逃牙束跳顶玉镇雪午练迫爷篇肉嘴馆遍凡础洞卷坦牛宁纸诸训私庄祖丝翻暴森塔默握戏隐熟骨访弱蒙歌店鬼软典欲萨伙遭盘爸扩盖弄雄稳忘亿刺拥徒姆杨齐赛趣曲刀床迎冰虚玩析窗醒妻透购替塞努休虎扬途侵刑绿兄迅套贸毕唯谷轮库迹尤竞街促延震弃甲伟麻川申缓潜闪售灯针哲络抵朱埃抱鼓植纯夏忍页杰筑折郑贝尊吴秀混臣雅振染盛怒舞圆搞狂措姓残秋培迷诚宽宇猛摆梅毁伸摩盟末乃悲拍丁赵硬麦蒋操耶阻订彩抽赞魔纷沿喊违妹浪汇币丰蓝殊献桌啦瓦莱援译夺汽烧距裁偏符勇触课敬哭懂墙袭召罚侠厅拜巧侧韩冒债曼融惯享戴童犹乘挂奖绍厚纵障讯涉彻刊丈爆乌役描洗玛患妙镜唱烦签仙彼弗症仿倾牌陷鸟轰咱菜闭奋庆撤泪茶疾缘播朗杜奶季丹狗尾仪偷奔珠虫驻孔宜艾桥淡翼恨繁寒伴叹旦愈潮粮缩罢聚径恰挑袋灰捕徐珍幕映裂泰隔启尖忠累炎暂估泛荒偿横拒瑞忆孤鼻闹羊呆厉衡胞零穷舍码赫婆魂灾洪腿胆津俗辩胸晓劲贫仁偶辑邦恢赖圈摸仰润堆碰艇稍迟辆废净凶署壁御奉旋冬矿抬蛋晨伏吹鸡倍糊秦盾杯租骑乏隆诊奴摄丧污渡旗甘耐凭扎抢绪粗肩梁幻菲皆碎宙叔岩荡综爬荷悉蒂返井壮薄悄扫敏碍殖详迪矛霍允幅撒剩凯颗骂赏液番箱贴漫酸郎腰舒眉忧浮辛恋餐吓挺励辞艘键伍峰尺昨黎辈贯侦滑券崇扰宪绕趋慈乔阅汗枝拖墨胁插箭腊粉泥氏彭拔骗凤慧媒佩愤扑龄驱惜豪掩兼跃尸肃帕驶堡届欣惠册储飘桑闲惨洁踪勃宾频仇磨递邪撞拟滚奏巡颜剂绩贡疯坡瞧截燃焦殿伪柳锁逼颇昏劝呈搜勤戒驾漂饮曹朵仔柔俩孟腐幼践籍牧凉牲佳娜浓芳稿竹腹跌逻垂遵脉貌柏狱猜怜惑陶兽帐饰贷昌叙躺钢沟寄扶铺邓寿惧询汤盗肥尝匆辉奈扣廷澳嘛董迁凝慰厌脏腾幽怨鞋丢埋泉涌辖躲晋紫艰魏吾慌祝邮吐狠鉴曰械咬邻赤挤弯椅陪割揭韦悟聪雾锋梯猫祥阔誉筹丛牵鸣沈阁穆屈旨袖猎臂蛇贺柱抛鼠瑟戈牢逊迈欺吨琴衰瓶恼燕仲诱狼池疼卢仗冠粒遥吕玄尘冯抚浅敦纠钻晶岂峡苍喷耗凌敲菌赔涂粹扁亏寂煤熊恭湿循暖糖赋抑秩帽哀宿踏烂袁侯抖夹昆肝擦猪炼恒慎搬纽纹玻渔磁铜齿跨押怖漠疲叛遣兹祭醉拳弥斜档稀捷肤疫肿豆削岗晃吞宏癌肚隶履涨耀扭坛拨沃绘伐堪仆郭牺歼墓雇廉契拼惩捉覆刷劫嫌瓜歇雕闷乳串娃缴唤赢莲霸桃妥瘦搭赴岳嘉舱俊址庞耕锐缝悔邀玲惟斥宅添挖呵讼氧浩羽斤酷掠妖祸侍乙妨贪挣汪尿莉悬唇翰仓轨枚盐览傅帅庙芬屏寺胖璃愚滴疏萧姿颤丑劣柯寸扔盯辱匹俱辨饿蜂哦腔郁溃谨糟葛苗肠忌溜鸿爵鹏鹰笼丘桂滋聊挡纲肌茨壳痕碗穴膀卓贤卧膜毅锦欠哩函茫昂薛皱夸豫胃舌剥傲拾窝睁携陵哼棉晴铃填饲渴吻扮逆脆喘罩卜炉柴愉绳胎蓄眠竭喂傻慕浑奸扇柜悦拦诞饱乾泡贼亭夕爹酬儒姻卵氛泄杆挨僧蜜吟猩遂狭肖甜霞驳裕顽於摘矮秒卿畜咽披辅勾盆疆赌塑畏吵囊嗯泊肺骤缠冈羞瞪吊贾漏斑涛悠鹿俘锡卑葬铭滩嫁催璇翅盒蛮矣潘歧赐鲍锅廊拆灌勉盲宰佐啥胀扯禧辽抹筒棋裤唉朴咐孕誓喉妄拘链驰栏逝窃艳臭纤玑棵趁匠盈翁愁瞬婴孝颈倘浙谅蔽畅赠妮莎尉冻跪闯葡後厨鸭颠遮谊圳吁仑辟瘤嫂陀框谭亨钦庸歉芝吼甫衫摊宴嘱衷娇陕矩浦讶耸裸碧摧薪淋耻胶屠鹅饥盼脖虹翠崩账萍逢赚撑翔倡绵猴枯巫昭怔渊凑溪蠢禅阐旺寓藤匪伞碑挪琼脂谎慨菩萄狮掘抄岭晕逮砍掏狄晰罕挽脾舟痴蔡剪脊弓懒叉拐喃僚捐姊骚拓歪粘柄坑陌窄湘兆崖骄刹鞭芒筋聘钩棍嚷腺弦焰耍俯厘愣厦恳饶钉寡憾摔叠惹喻谱愧煌徽溶坠煞巾滥洒堵瓷咒姨棒郡浴媚稣淮哎屁漆淫巢吩撰啸滞玫硕钓蝶膝姚茂躯吏猿寨恕渠戚辰舶颁惶狐讽笨袍嘲啡泼衔倦涵雀旬僵撕肢垄夷逸茅侨舆窑涅蒲谦杭噢弊勋刮郊凄捧浸砖鼎篮蒸饼亩肾陡爪兔殷贞荐哑炭坟眨搏咳拢舅昧擅爽咖搁禄雌哨巩绢螺裹昔轩谬谍龟媳姜瞎冤鸦蓬巷琳栽沾诈斋瞒彪厄咨纺罐桶壤糕颂膨谐垒咕隙辣绑宠嘿兑霉挫稽辐乞纱裙嘻哇绣杖塘衍轴攀膊譬斌祈踢肆坎轿棚泣屡躁邱凰溢椎砸趟帘帆栖窜丸斩堤塌贩厢掀喀乖谜捏阎滨虏匙芦苹卸沼钥株祷剖熙哗劈怯棠胳桩瑰娱娶沫嗓蹲焚淘嫩韵衬匈钧竖峻豹捞菊鄙魄兜哄颖镑屑蚁壶怡渗秃迦旱哟咸焉谴宛稻铸锻伽詹毙恍贬烛骇芯汁桓坊驴朽靖佣汝碌迄冀荆崔雁绅珊榜诵傍彦醇笛禽勿娟瞄幢寇睹贿踩霆呜拱妃蔑谕缚诡篷淹腕煮倩卒勘馨逗甸贱炒灿敞蜡囚栗辜垫妒魁谣寞蜀甩涯枕丐泳奎泌逾叮黛燥掷藉枢憎鲸弘倚侮藩拂鹤蚀浆芙垃烤晒霜剿蕴圾绸屿氢驼妆捆铅逛淑榴丙痒钞蹄犬躬昼藻蛛褐颊奠募耽蹈陋侣魅岚侄虐堕陛莹荫狡阀绞膏垮茎缅喇绒搅凳梭丫姬诏钮棺耿缔懈嫉灶匀嗣鸽澡凿纬沸畴刃遏烁嗅叭熬瞥骸奢拙栋毯桐砂莽泻坪梳杉晤稚蔬蝇捣顷麽尴镖诧尬硫嚼羡沦沪旷彬芽狸冥碳咧惕暑咯萝汹腥窥俺潭崎麟捡拯厥澄萎哉涡滔暇溯鳞酿茵愕瞅暮衙诫斧兮焕棕佑嘶妓喧蓉删樱伺嗡娥梢坝蚕敷澜杏绥冶庇挠搂倏聋琉僻躇彷踊跄啃垦苛胧攘缨谁绎酋惫";

/// A pack of `phrases` synthetic forbidden phrases (2–6 common characters each), in `rules`
/// rules, as TOML.
pub(crate) fn synthetic_pack(phrases: usize, rules: usize) -> String {
    let chars: Vec<char> = CHARS.chars().collect();
    let mut rng = Rng::new(42);
    let mut toml = String::from("[pack]\nname = \"synthetic\"\n");
    let per_rule = phrases.div_ceil(rules);
    let mut made = 0;
    for r in 0..rules {
        toml.push_str(&format!(
            "[[rule]]\nid = \"forbidden.synthetic-{r}\"\nkind = \"forbidden\"\nseverity = \"minor\"\nmessage = \"m\"\nphrases = ["
        ));
        for i in 0..per_rule {
            if made == phrases {
                break;
            }
            let len = 2 + rng.below(5);
            let phrase: String = (0..len).map(|_| chars[rng.below(chars.len())]).collect();
            if i > 0 {
                toml.push_str(", ");
            }
            toml.push('"');
            toml.push_str(&phrase);
            toml.push('"');
            made += 1;
        }
        toml.push_str("]\n");
    }
    toml
}

/// The text of every turn of a transcript, joined: the bytes the raw scan sees.
pub(crate) fn text_of(t: &Transcript) -> String {
    t.turns
        .iter()
        .map(|turn| turn.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}
